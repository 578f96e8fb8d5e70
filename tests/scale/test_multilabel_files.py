"""``fitscope eval`` and evaluate_file / evaluate_dask over multilabel prediction files: one
0/1 (or true/false) column per label and one probability column per label, named
``y_true.<label>`` / ``y_pred.<label>`` (patterns) or listed; per-label results by label name;
compared with scikit-learn on the same rows, from real CSV and Parquet files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope import InvalidInputError
from fitscope.cli import cli
from fitscope.scale import evaluate_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pcsv = pytest.importorskip("pyarrow.csv")
skm = pytest.importorskip("sklearn.metrics")

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:No positive class found:UserWarning"),
]

LABELS = ["cat", "dog", "emu", "fox"]
PATTERNS = ("--label", "y_true.*", "--pred", "y_pred.*")
N = 700


def _data(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random((N, len(LABELS))) < [0.3, 0.5, 0.1, 0.0]  # fox: never true
    y[0] = False  # an empty row
    p = np.clip(0.45 * y + rng.random(y.shape) * 0.55, 0, 1).round(3)  # ties
    return y, p, rng.random(N) * 2


@pytest.fixture(params=["csv", "parquet"])
def path(request, tmp_path: Path) -> Path:
    y, p, w = _data()
    columns: dict[str, np.ndarray] = {"w": w}
    # Prediction columns first and in another order: pairing goes by label name.
    for j in reversed(range(len(LABELS))):
        columns[f"y_pred.{LABELS[j]}"] = p[:, j]
    for j, name in enumerate(LABELS):
        # Booleans (true/false in the CSV) and 0/1 integers both work.
        columns[f"y_true.{name}"] = y[:, j] if j % 2 else y[:, j].astype(np.int64)
    table = pa.table(columns)
    if request.param == "parquet":
        out = tmp_path / "preds.parquet"
        pq.write_table(table, out, row_group_size=128)
    else:
        out = tmp_path / "preds.csv"
        pcsv.write_csv(table, out)
    return out


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["eval", *args])
    return result.exit_code, result.stdout + result.stderr


def test_cli_json_equals_sklearn(path: Path) -> None:
    y, p, w = _data()
    pred = (p >= 0.5).astype(int)
    code, out = run(
        str(path),
        *PATTERNS,
        "--weight",
        "w",
        "--metrics",
        "accuracy,hamming_loss,f1,precision(average=samples),recall(average=None),"
        "log_loss(average=None),brier_score,average_precision(average=samples)",
        "--average",
        "macro",
        "--chunk-rows",
        "97",
        "--json",
    )
    assert code == 0, out
    got = json.loads(out)
    assert got["labels"] == LABELS and got["rows"] == N
    m = got["metrics"]
    kw = {"sample_weight": w}
    want = {
        "accuracy": skm.accuracy_score(y, pred, **kw),
        "hamming_loss": skm.hamming_loss(y, pred, **kw),
        "f1(average=macro)": skm.f1_score(y, pred, average="macro", **kw),
        "precision(average=samples)": skm.precision_score(y, pred, average="samples", **kw),
        "recall(average=None)": skm.recall_score(y, pred, average=None, **kw),
        "log_loss(average=None)": [
            skm.log_loss(y[:, j], p[:, j], labels=[0, 1], **kw) for j in range(len(LABELS))
        ],
        "brier_score": np.mean([skm.brier_score_loss(y[:, j], p[:, j], **kw) for j in range(4)]),
        "average_precision(average=samples)": skm.average_precision_score(
            y, p, average="samples", **kw
        ),
    }
    assert set(m) == set(want)
    for key, value in want.items():
        np.testing.assert_allclose(m[key], value, rtol=1e-9, err_msg=key)


def test_cli_table_names_each_label_and_labels_selects_by_name(path: Path) -> None:
    y, p, _ = _data()
    code, out = run(
        str(path),
        *PATTERNS,
        "--metrics",
        "roc_auc,f1",
        "--average",
        "none",
        "--labels",
        "dog,cat",
    )
    assert code == 0, out
    auc = skm.roc_auc_score(y[:, [1, 0]], p[:, [1, 0]], average=None)
    f1 = skm.f1_score(y, (p >= 0.5).astype(int), average=None, labels=[1, 0])
    assert f"dog={auc[0]:.6g}  cat={auc[1]:.6g}" in out
    assert f"dog={f1[0]:.6g}  cat={f1[1]:.6g}" in out


def test_listed_columns_pair_in_order_and_stream_like_evaluate(path: Path) -> None:
    y, p, w = _data()
    labels = [f"y_true.{x}" for x in LABELS[:3]]
    preds = [f"y_pred.{x}" for x in LABELS[:3]]
    metrics = ["accuracy", "f1(average=samples)", "log_loss", "roc_auc(average=weighted)"]
    res = evaluate_file(path, label=labels, pred=preds, weight="w", metrics=metrics, chunk_rows=50)
    want = fitscope.evaluate(y[:, :3], p[:, :3], metrics=metrics, sample_weight=w)
    for key in metrics:
        np.testing.assert_allclose(res.metrics[key], want[key], rtol=1e-10, err_msg=key)
    assert res.label_names == tuple(labels)
    # The merged evaluator is the one-pass evaluator: it merges on with more data.
    more = res.evaluator.merge(fitscope.Evaluator(metrics).update(y[:9, :3], p[:9, :3]))
    assert more.n_samples == N + 9


def test_cli_average_applies_to_multilabel_losses_only(path: Path, tmp_path: Path) -> None:
    code, out = run(
        str(path), *PATTERNS, "--metrics", "log_loss",
        "--average", "weighted", "--json",
    )  # fmt: skip
    assert code == 0, out
    assert "log_loss(average=weighted)" in json.loads(out)["metrics"]
    binary = tmp_path / "b.csv"
    binary.write_text("y,p\n0,0.2\n1,0.7\n1,0.4\n")
    code, out = run(str(binary), "--label", "y", "--pred", "p", "--metrics", "log_loss,f1",
                    "--average", "binary", "--json")  # fmt: skip
    assert code == 0, out
    assert set(json.loads(out)["metrics"]) == {"log_loss", "f1"}  # binary: the default


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--label", "y_true.*", "--pred", "p.*"], ["pred", "'p.*'", "matches none"]),
        (["--label", "y_true.*", "--pred", "y_pred.cat"], ["one column per label", "Got 1"]),
        (
            ["--label", "y_true.cat", "y_true.dog", "--pred", "y_pred.cat"],
            ["pred", "2 label columns", "Got 1"],
        ),
        (["--label", "y_true.*", "--pred", "y_pred.*", "--labels", "gnu"], ["labels", "'gnu'"]),
    ],
)
def test_bad_multilabel_columns_are_named(path: Path, args: list[str], words: list[str]) -> None:
    code, out = run(str(path), *args, "--metrics", "accuracy")
    assert code == 1
    for word in words:
        assert word in out, (word, out)


def test_pattern_pairs_by_label_name_and_reports_a_missing_one(tmp_path: Path) -> None:
    f = tmp_path / "odd.csv"
    f.write_text("y_true.a,y_true.b,y_pred.b,y_pred.c\n1,0,0.3,0.9\n0,1,0.8,0.2\n")
    with pytest.raises(InvalidInputError, match="no prediction column for the label 'a'"):
        evaluate_file(f, label="y_true.*", pred="y_pred.*", metrics=["accuracy"])


def test_dask_dataframe_with_patterns(tmp_path: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from fitscope.scale import evaluate_dask

    y, p, _ = _data()
    frame = {f"y_true.{n}": y[:, j].astype(int) for j, n in enumerate(LABELS[:3])}
    frame |= {f"y_pred.{n}": p[:, j] for j, n in enumerate(LABELS[:3])}
    pd = pytest.importorskip("pandas")
    data = dd.from_pandas(pd.DataFrame(frame), npartitions=3)
    metrics = ["hamming_loss", "average_precision(average=samples)"]
    res = evaluate_dask(data, label="y_true.*", pred="y_pred.*", metrics=metrics, n_workers=1)
    want = fitscope.evaluate(y[:, :3], p[:, :3], metrics=metrics)
    for key in metrics:
        assert math.isclose(res.metrics[key], want[key], rel_tol=1e-10)
    assert res.label_names == tuple(LABELS[:3])
