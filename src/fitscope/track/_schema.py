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

from fitscope.errors import StoreError, StoreVersionError

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

# The batches a fitscope server has stored, by the id each client gave them: written in the
# same transaction as the batch's points, so a batch sent twice (a retry, `fitscope sync` run
# again) is recognised and stored once. A new table: stores of version 1 gain it on open.
ingested = sa.Table(
    "fitscope_ingested",
    metadata,
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("time", sa.Float, nullable=False),
)

# A run summary kept at write time, so listing runs never reads a series: per series the count,
# the last value (at the highest step) and the best one (by the metric's direction, NaN never
# best) with their steps. Updated in the transaction that writes the points.
series_summary = sa.Table(
    "fitscope_series_summary",
    metadata,
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("split", sa.String(64), primary_key=True),
    sa.Column("metric", sa.String(255), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("last", sa.Float, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("best", sa.Float, nullable=True),
    sa.Column("best_step", sa.BigInteger, nullable=True),
    sa.Index("ix_fitscope_series_summary_best", "split", "metric", "best"),
    sa.Index("ix_fitscope_series_summary_last", "split", "metric", "last"),
)

# A run's config flattened to one row per leaf (dotted keys for nested dicts), numbers in
# value_num and everything else as JSON text in value_text, for filtering and sorting in SQL.
run_config = sa.Table(
    "fitscope_run_config",
    metadata,
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value_num", sa.Float, nullable=True),
    sa.Column("value_text", sa.Text, nullable=True),
    sa.Index("ix_fitscope_run_config_num", "key", "value_num"),
    sa.Index("ix_fitscope_run_config_text", "key", "value_text"),
)

sa.Index("ix_fitscope_runs_start", runs.c.start_time, runs.c.id)  # the runs list, newest first

#: The key as the user or framework wrote it (``val/loss``, ``Loss/train``), per series whose
#: (split, metric) was read from a key: shown instead of the metric name. A table of its own so
#: that older stores gain it on open without a migration.
series_keys = sa.Table(
    "fitscope_series_keys",
    metadata,
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("split", sa.String(64), primary_key=True),
    sa.Column("metric", sa.String(255), primary_key=True),
    sa.Column("key", sa.String(255), nullable=False),
)

#: Values a user set on a run's summary (``run.summary["best"] = 0.9``), as JSON text.
run_summary = sa.Table(
    "fitscope_run_summary",
    metadata,
    sa.Column(
        "run_id", sa.String(32), sa.ForeignKey(runs.c.id, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("values", sa.Text, nullable=False),  # JSON object
)

# Migrations: MIGRATIONS[v] upgrades a store at version v to v + 1. Version 1 is the first
# schema, created whole by metadata.create_all, so the list is empty for now; each later schema
# change appends one function here and bumps SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


def stored_version(text: str, where: str) -> int:
    """The stored schema_version as an int, or a StoreError saying the store is damaged."""
    try:
        return int(text)
    except (TypeError, ValueError):
        raise StoreError(
            f"store must have an integer schema_version. Got {str(text)[:50]!r} in {where!r} "
            "instead: the store is damaged or was not written by fitscope."
        ) from None


def check_schema(conn: Connection, safe_url: str) -> set[str]:
    """For a store opened read-only: check its version (nothing is written) and return the
    names of the tables it has (an older store may lack tables added since)."""
    names = set(sa.inspect(conn).get_table_names())
    if meta.name not in names:
        raise StoreError(
            f"store must be a fitscope store. Got {safe_url!r}, which has no {meta.name} table, "
            "instead (and it cannot be written, so it cannot be made one)."
        )
    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
    version = None if row is None else stored_version(row[0], safe_url)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"store must have schema version {SCHEMA_VERSION} or older. Got version {version} "
            f"in {safe_url!r} instead: it was written by a newer fitscope. Upgrade fitscope "
            "(pip install -U fitscope) to open it."
        )
    return names
