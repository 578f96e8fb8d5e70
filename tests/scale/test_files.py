"""evaluate_file equals fitscope.evaluate on all the data loaded at once: CSV, Parquet, many
files, folders, segments, weights, logits, multiclass, dropped NaN rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.scale import evaluate_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pcsv = pytest.importorskip("pyarrow.csv")

BINARY = ["accuracy", "log_loss", "f1", "roc_auc", "brier_score", "average_precision"]


def load(*paths: Path) -> Any:
    """Every row of the files, read whole (the reference reads what evaluate_file reads)."""
    tables = [pcsv.read_csv(p) if p.suffix == ".csv" else pq.read_table(p) for p in paths]
    cols = tables[0].column_names
    return pa.concat_tables([t.select(cols).cast(tables[0].select(cols).schema) for t in tables])


def col(table: Any, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_one_file_binary(tmp_path: Path, suffix: str, table_factory, writer, same) -> None:
    path = writer(table_factory(1500), tmp_path / f"preds{suffix}")
    got = evaluate_file(path, label="y", pred="p", metrics=BINARY, chunk_rows=97)
    whole = load(path)
    want = fitscope.evaluate(col(whole, "y"), col(whole, "p"), metrics=BINARY)
    same(got.metrics, want)
    assert got.n_rows == 1500 and got.n_dropped == 0 and got.segments == ()


def test_many_files_and_folders(tmp_path: Path, table_factory, writer, same) -> None:
    parts = [table_factory(400 + 50 * i, seed=i) for i in range(4)]
    (tmp_path / "a" / "deep").mkdir(parents=True)
    paths = [
        writer(parts[0], tmp_path / "a" / "0.csv"),
        writer(parts[1], tmp_path / "a" / "deep" / "1.parquet"),
        writer(parts[2], tmp_path / "a" / "deep" / "2.csv"),
        writer(parts[3], tmp_path / "3.parquet"),
    ]
    (tmp_path / "a" / "notes.txt").write_text("not data")
    whole = load(*paths)
    want = fitscope.evaluate(col(whole, "y"), col(whole, "p"), metrics=BINARY)
    listed = evaluate_file(paths, label="y", pred="p", metrics=BINARY, chunk_rows=61)
    same(listed.metrics, want)
    # A folder (recursive, sorted) plus a file: the same rows in the same order.
    mixed = evaluate_file([tmp_path / "a", paths[3]], label="y", pred="p", metrics=BINARY)
    same(mixed.metrics, want)
    assert listed.n_rows == mixed.n_rows == whole.num_rows


def test_weights_and_logits(tmp_path: Path, table_factory, writer, same) -> None:
    path = writer(table_factory(2000, seed=3), tmp_path / "p.parquet", row_group=300)
    whole = load(path)
    y, w = col(whole, "y"), col(whole, "w")
    got = evaluate_file(path, label="y", pred="p", weight="w", metrics=BINARY, chunk_rows=128)
    same(
        got.metrics,
        fitscope.evaluate(y, col(whole, "p"), metrics=BINARY, sample_weight=w),
        weighted=True,
    )
    metrics = ["accuracy", "log_loss", "brier_score"]
    logits = evaluate_file(
        path, label="y", pred="logit", from_logits=True, threshold=0.3, metrics=metrics
    )
    want = fitscope.evaluate(
        y, col(whole, "logit"), metrics=metrics, from_logits=True, threshold=0.3
    )
    same(logits.metrics, want)


def test_multiclass_columns(tmp_path: Path, table_factory, writer, same) -> None:
    path = writer(table_factory(1200, seed=5, classes=4), tmp_path / "mc.csv")
    whole = load(path)
    probs = np.column_stack([col(whole, f"p{c}") for c in range(4)])
    metrics = [
        "accuracy",
        "log_loss",
        fitscope.metric("f1", average="macro"),
        fitscope.metric("top_k_accuracy", k=2),
    ]
    got = evaluate_file(path, label="y", pred=["p0", "p1", "p2", "p3"], metrics=metrics)
    same(got.metrics, fitscope.evaluate(col(whole, "y"), probs, metrics=metrics))


def test_segments_weakest_first(tmp_path: Path, table_factory, writer, same) -> None:
    path = writer(table_factory(3000, seed=7), tmp_path / "seg.parquet")
    whole = load(path)
    y, p, seg = col(whole, "y"), col(whole, "p"), col(whole, "seg")
    got = evaluate_file(path, label="y", pred="p", by="seg", metrics=BINARY, chunk_rows=500)
    same(got.metrics, fitscope.evaluate(y, p, metrics=BINARY))
    assert got.by == "seg"
    assert sorted(s.value for s in got.segments) == ["east", "north", "south", "west"]
    for s in got.segments:
        mask = seg == s.value
        assert s.n_rows == int(mask.sum())
        same(s.metrics, fitscope.evaluate(y[mask], p[mask], metrics=BINARY))
    accuracies = [s.metrics["accuracy"] for s in got.segments]
    assert accuracies == sorted(accuracies)  # higher is better: the lowest first
    assert got.segments[0].value == "west"  # the noisiest segment
    by_loss = evaluate_file(path, label="y", pred="p", by="seg", metrics=["log_loss"])
    losses = [s.metrics["log_loss"] for s in by_loss.segments]
    assert losses == sorted(losses, reverse=True)  # lower is better: the highest first


def test_drop_nan_counts_and_skips(tmp_path: Path, table_factory, writer, same) -> None:
    table = table_factory(900, seed=9)
    p = col(table, "p").copy()
    p[[5, 400, 401]] = np.nan
    y = pa.array(col(table, "y"), mask=np.isin(np.arange(900), [700]))
    table = table.set_column(table.column_names.index("p"), "p", pa.array(p))
    table = table.set_column(table.column_names.index("y"), "y", y)
    for suffix in (".csv", ".parquet"):
        path = writer(table, tmp_path / f"nan{suffix}")
        got = evaluate_file(
            path, label="y", pred="p", drop_nan=True, metrics=BINARY, chunk_rows=100
        )
        keep = ~np.isin(np.arange(900), [5, 400, 401, 700])
        want = fitscope.evaluate(col(table, "y")[keep].astype(int), p[keep], metrics=BINARY)
        same(got.metrics, want)
        assert (got.n_rows, got.n_dropped) == (896, 4)


def test_result_to_dict_and_evaluator(tmp_path: Path, table_factory, writer) -> None:
    path = writer(table_factory(300), tmp_path / "d.parquet")
    got = evaluate_file(
        path, label="y", pred="p", by="seg", metrics=["accuracy", "confusion_matrix"]
    )
    d = got.to_dict()
    assert d["rows"] == 300 and d["by"] == "seg" and len(d["segments"]) == 4
    assert isinstance(d["metrics"]["confusion_matrix"], list)
    # The merged evaluator is returned, so a later file can be merged in.
    assert got.evaluator.n_samples == 300
    assert got.evaluator.compute()["accuracy"] == got.metrics["accuracy"]


def test_metric_undefined_on_one_segment(tmp_path: Path, same) -> None:
    path = tmp_path / "s.csv"
    path.write_text("y,p,g\n0,0.2,a\n1,0.7,a\n1,0.4,a\n0,0.6,a\n1,0.9,b\n1,0.8,b\n")
    got = evaluate_file(path, label="y", pred="p", by="g", metrics=["roc_auc", "accuracy"])
    same(
        got.metrics,
        fitscope.evaluate(
            [0, 1, 1, 0, 1, 1], [0.2, 0.7, 0.4, 0.6, 0.9, 0.8], metrics=["roc_auc", "accuracy"]
        ),
    )
    a, b = got.segments  # b has no ROC-AUC, so it comes after every segment that has one
    assert (a.value, b.value) == ("a", "b")
    assert np.isnan(b.metrics["roc_auc"]) and b.metrics["accuracy"] == 1.0
    assert "both classes" in b.undefined["roc_auc"] and not a.undefined
    assert got.to_dict()["segments"][1]["undefined"]["roc_auc"] == b.undefined["roc_auc"]
