"""Evaluation on a Dask cluster: each partition becomes a :class:`Partial` (Evaluator states)
on a worker, and the partials merge pairwise in a tree, in row order, on the workers."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fitscope import _validation as v
from fitscope.errors import InvalidInputError, InvalidTypeError
from fitscope.scale._result import FileEvaluation, finalize
from fitscope.scale._sources import (
    CHUNK_ROWS,
    Piece,
    check_columns,
    header_of,
    plan,
    require,
    resolve_paths,
)
from fitscope.scale._stream import (
    Columns,
    Options,
    Partial,
    evaluate_pieces,
    make_options,
    merge_partials,
    resolve_columns,
)

#: Rows per Parquet piece (a task): whole row groups adding up to at least this many rows.
#: About 1Mi rows is 10-50 ms of work: small enough that 2 workers share a 1e7-row file evenly,
#: large enough that per-task overhead (~1-2 ms) stays a few percent.
ROWS_PER_TASK = 1 << 20


def _piece_task(piece: Piece, cols: Columns, opts: Options) -> Partial:
    return evaluate_pieces([piece], cols, opts)


def _frame_task(frame: Any, index: int, cols: Columns, opts: Options) -> Partial:
    from fitscope.scale._sources import check_numeric
    from fitscope.scale._stream import consume

    pa = require("pyarrow")
    wanted = list(dict.fromkeys([*cols.numeric, *cols.other]))
    table = pa.Table.from_pandas(frame[wanted], preserve_index=False)
    source = f"partition {index}"
    check_numeric(table.schema, cols.numeric, source, cols.label)
    partial = Partial()
    row = 0
    for batch in table.to_batches(max_chunksize=opts.chunk_rows):
        consume(partial, batch, source, row, cols, opts)
        row += batch.num_rows
    return partial


def _rows(partial: Partial) -> int:
    return partial.n_rows


def _tree(client: Any, parts: list[Any]) -> Any:
    # Adjacent pairs merge first, so the final state lists rows in order; depth log2(parts).
    while len(parts) > 1:
        parts = [
            client.submit(merge_partials, parts[i], parts[i + 1], pure=False)
            if i + 1 < len(parts)
            else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def evaluate_dask(
    data: Any,
    *,
    label: str | Sequence[str],
    pred: str | Sequence[str],
    metrics: Iterable[Any] = ("accuracy", "log_loss"),
    by: str | None = None,
    scheduler: Any = None,
    weight: str | None = None,
    threshold: float = 0.5,
    from_logits: bool = False,
    drop_nan: bool = False,
    ranking: str = "exact",
    chunk_rows: int = CHUNK_ROWS,
    n_workers: int = 2,
    rows_per_task: int = ROWS_PER_TASK,
    progress: Callable[[int], None] | None = None,
    labels: Sequence[Any] | None = None,
    pos_label: Any = None,
) -> FileEvaluation:
    """:func:`evaluate_file` on a Dask cluster.

    ``data`` is a dask DataFrame, or paths as for :func:`evaluate_file` (Parquet files are split
    into tasks of whole row groups, about ``rows_per_task`` rows each; a CSV file is one task).
    ``scheduler`` is a scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``;
    without one a ``LocalCluster`` of ``n_workers`` single-threaded worker processes starts for
    this call and stops after it. Each task streams its rows into Evaluator states; the states
    merge pairwise in a tree on the workers and only the final one comes back.
    """
    cols = Columns.make(label, pred, weight, by)
    opts = make_options(
        metrics, threshold, from_logits, ranking, drop_nan, chunk_rows, labels, pos_label
    )
    # One core per single-threaded worker: no pyarrow thread pool, no read-ahead thread, so
    # that adding workers (not threads inside one) is what scales.
    opts = dataclasses.replace(opts, use_threads=False, prefetch=0)
    distributed = require("distributed")
    v.check_positive_int(n_workers, "n_workers")
    v.check_positive_int(rows_per_task, "rows_per_task")
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        client = distributed.Client(cluster)
        own_client = True
    elif isinstance(scheduler, str):
        client = distributed.Client(scheduler)
        own_client = True
    elif isinstance(scheduler, distributed.Client):
        client, own_client = scheduler, False
    else:
        raise InvalidTypeError(
            "scheduler must be None, a scheduler address such as 'tcp://host:8786' or a "
            f"distributed.Client. Got {v.describe(scheduler)} instead."
        )
    try:
        parts, cols, opts = _submit(client, data, cols, opts, rows_per_task)
        final = _tree(client, parts)
        counts = [client.submit(_rows, p, pure=False) for p in parts] if progress else []
        del parts  # the cluster may free each partial as soon as its merge has read it
        for future in distributed.as_completed(counts):
            assert progress is not None
            progress(int(future.result()))
        result: Partial = final.result()
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    return finalize(result, cols, opts)


def _submit(
    client: Any, data: Any, cols: Columns, opts: Options, rows_per_task: int
) -> tuple[list[Any], Columns, Options]:
    if isinstance(data, str | os.PathLike) or (
        isinstance(data, Sequence) and not hasattr(data, "to_delayed")
    ):
        pieces = plan(resolve_paths(data), rows_per_piece=rows_per_task)
        cols, opts = resolve_columns(cols, opts, lambda: header_of(pieces[0]))
        return [client.submit(_piece_task, p, cols, opts, pure=False) for p in pieces], cols, opts
    if not hasattr(data, "to_delayed") or not hasattr(data, "columns"):
        raise InvalidTypeError(
            f"data must be a dask DataFrame or CSV/Parquet paths. Got {v.describe(data)} instead."
        )
    existing = [str(c) for c in data.columns]
    cols, opts = resolve_columns(cols, opts, lambda: existing)
    check_columns([*cols.numeric, *cols.other], existing, "the dataframe", cols.roles)
    dask = require("dask")
    frames = data.to_delayed()
    if not frames:
        raise InvalidInputError("data must have at least one partition. Got none instead.")
    # One task per partition that reads it and returns only the states: a partition's frame
    # lives on its worker only while that task runs.
    tasks = [dask.delayed(_frame_task)(f, i, cols, opts) for i, f in enumerate(frames)]
    return list(client.compute(tasks)), cols, opts
