"""The store's tables, its schema version and the migrations between versions.

Points are kept as *chunks*: one row holds a batch of consecutive points of one series
(run, split, metric) as three little-endian columns packed into blobs (steps int64, values
float64, times float64). The background writer produces one chunk per series per flush, so a
write is a handful of rows however many points it carries, and reading a 1,000,000-point series
back is a concatenation of a few hundred blobs instead of a million Python row objects. NaN and
inf are ordinary float64 bit patterns in a blob, so divergence is stored as it happened.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 1

metadata = sa.MetaData()

meta = sa.Table(
    "fitscope_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs = sa.Table(
    "fitscope_runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("project", sa.String(255), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("config", sa.Text, nullable=False),  # JSON object
    sa.Column("start_time", sa.Float, nullable=False),
    sa.Column("end_time", sa.Float, nullable=True),
    sa.Column("heartbeat", sa.Float, nullable=True),  # last sign of life of the writer
    sa.Column("host", sa.String(255), nullable=True),
    sa.Column("pid", sa.Integer, nullable=True),
)

tags = sa.Table(
    "fitscope_tags",
    metadata,
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("tag", sa.String(255), primary_key=True, index=True),
)

points = sa.Table(
    "fitscope_points",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), nullable=False
    ),
    sa.Column("split", sa.String(64), nullable=False),
    sa.Column("metric", sa.String(255), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("step_blob", sa.LargeBinary, nullable=False),
    sa.Column("value_blob", sa.LargeBinary, nullable=False),
    sa.Column("time_blob", sa.LargeBinary, nullable=False),
    sa.Index("ix_fitscope_points_series", "run_id", "split", "metric", "id"),
)

predictions = sa.Table(
    "fitscope_predictions",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), nullable=False
    ),
    sa.Column("split", sa.String(64), nullable=False),
    sa.Column("step", sa.BigInteger, nullable=False),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("y_true", sa.LargeBinary, nullable=False),  # .npy bytes
    sa.Column("y_pred", sa.LargeBinary, nullable=False),  # .npy bytes
    sa.Column("ids", sa.LargeBinary, nullable=True),  # .npy bytes
    sa.Index("ix_fitscope_predictions_run", "run_id", "split", "step"),
)

# Points the store refused to write (the writer isolates them so the rest of the batch is
# written; see track/_writer.py). A new table, so older stores gain it on open without a
# migration. step is text: a refused step may not fit in a BIGINT.
refused = sa.Table(
    "fitscope_refused",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), nullable=False
    ),
    sa.Column("key", sa.Text, nullable=False),  # "split/metric" with unstorable characters escaped
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("time", sa.Float, nullable=False),
    sa.Index("ix_fitscope_refused_run", "run_id"),
)

# Migrations: MIGRATIONS[v] upgrades a store at version v to v + 1. Version 1 is the first
# schema, created whole by metadata.create_all, so the list is empty for now; each later schema
# change appends one function here and bumps SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}
