"""Evaluate prediction files of any size: CSV and Parquet streamed in bounded memory, or spread
over a Dask cluster, with the same answer as :func:`fitscope.evaluate` on all the data at once.

Needs the ``scale`` extra (``pip install "fitscope[scale]"``: pyarrow, dask[distributed]).
See docs/scale.md for every choice made here.

>>> import pathlib, tempfile
>>> from fitscope.scale import evaluate_file
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "preds.csv").write_text("y,p\\n0,0.2\\n1,0.9\\n1,0.4\\n0,0.1\\n")
>>> result = evaluate_file(folder / "preds.csv", label="y", pred="p", metrics=["accuracy"])
>>> result.metrics, result.n_rows
({'accuracy': 0.75}, 4)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fitscope.scale._dask import evaluate_dask
from fitscope.scale._result import FileEvaluation, Segment, finalize
from fitscope.scale._sources import CHUNK_ROWS, header_of, plan, resolve_paths
from fitscope.scale._stream import Columns, evaluate_pieces, make_options, resolve_columns

__all__ = ["FileEvaluation", "Segment", "evaluate_dask", "evaluate_file"]

PathLike = str | os.PathLike[str]


def evaluate_file(
    paths: PathLike | Sequence[PathLike],
    *,
    label: str | Sequence[str],
    pred: str | Sequence[str],
    weight: str | None = None,
    by: str | None = None,
    metrics: Iterable[Any] = ("accuracy", "log_loss"),
    threshold: float = 0.5,
    from_logits: bool = False,
    drop_nan: bool = False,
    ranking: str = "exact",
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
    labels: Sequence[Any] | None = None,
    pos_label: Any = None,
) -> FileEvaluation:
    """Metrics over every row of one or more CSV/Parquet files (or folders of them), read
    ``chunk_rows`` rows at a time.

    ``pred`` names the probability (or logit, with ``from_logits=True``) column of class 1, or
    several columns: one probability per class, in class order. ``weight`` names a sample-weight
    column; ``by`` a column whose values split the rows into segments. Rows with NaN or a
    missing value raise an error with their count and the first row, unless ``drop_nan=True``,
    which skips them and counts them in ``n_dropped``. ``progress`` is called with the number
    of rows of each chunk read. Exact ranking metrics (``roc_auc``, ``average_precision``) keep
    every score; ``ranking="binned"`` keeps their memory fixed. The label column may hold class
    names (text); ``labels`` and ``pos_label`` are :class:`fitscope.Evaluator`'s.

    Multilabel targets: ``label`` names several 0/1 (or true/false) columns, one per label,
    and ``pred`` as many probability (or 0/1) columns, paired in order; or both are patterns
    such as ``label="y_true.*", pred="y_pred.*"``, expanded over the file's columns and paired
    by what ``*`` stands for (the label's name). ``labels`` then selects labels by name (or
    column index); per-label results follow ``result.label_names``.
    """
    cols = Columns.make(label, pred, weight, by)
    opts = make_options(
        metrics, threshold, from_logits, ranking, drop_nan, chunk_rows, labels, pos_label
    )
    pieces = plan(resolve_paths(paths))
    cols, opts = resolve_columns(cols, opts, lambda: header_of(pieces[0]))
    return finalize(evaluate_pieces(pieces, cols, opts, progress), cols, opts)
