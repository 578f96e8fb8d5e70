"""``fitscope eval`` on real CSV files: metric names as fitscope prints them, given back in
--metrics, are the same metrics with the same options as in the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli

CLASSES = np.array(["cat", "dog", "emu"])


def _write_csv(path: Path, columns: dict[str, np.ndarray]) -> Path:
    names = list(columns)
    rows = zip(*(columns[c] for c in names), strict=True)
    path.write_text(
        ",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _multiclass(n: int = 200, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    prob = rng.dirichlet(np.ones(3), size=n)
    return {
        "y": CLASSES[rng.integers(0, 3, n)],
        "p_cat": prob[:, 0],
        "p_dog": prob[:, 1],
        "p_emu": prob[:, 2],
    }


def _multioutput(n: int = 150, seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.normal(size=(n, 2))
    q = t + rng.normal(size=(n, 2)) * np.array([0.3, 0.9])
    return {"t0": t[:, 0], "t1": t[:, 1], "q0": q[:, 0], "q1": q[:, 1]}


def _eval_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "written", ["confusion_matrix(normalize=true)", 'confusion_matrix(normalize="true")']
)
def test_confusion_matrix_normalize_true_from_the_cli(tmp_path: Path, written: str) -> None:
    d = _multiclass()
    path = _write_csv(tmp_path / "mc.csv", d)
    got = _eval_json(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
                     "--metrics", written)  # fmt: skip
    key = fitscope.metric("confusion_matrix", normalize="true").key
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])
    want = fitscope.evaluate(d["y"], prob, metrics=[key])[key]
    np.testing.assert_allclose(got["metrics"][key], want)
    np.testing.assert_allclose(np.sum(got["metrics"][key], axis=1), 1.0)


@pytest.mark.parametrize(
    "written",
    ["mse(multioutput=(0.2, 0.8))", "mse(multioutput=[0.2, 0.8])", "mse(multioutput=(0.2,0.8))"],
)
def test_multioutput_weights_from_the_cli(tmp_path: Path, written: str) -> None:
    d = _multioutput()
    path = _write_csv(tmp_path / "mo.csv", d)
    got = _eval_json(str(path), "--label", "t0", "t1", "--pred", "q0", "q1",
                     "--metrics", f"{written},mae")  # fmt: skip
    key = fitscope.metric("mse", multioutput=(0.2, 0.8)).key
    assert list(got["metrics"]) == [key, "mae"]
    t, q = np.column_stack([d["t0"], d["t1"]]), np.column_stack([d["q0"], d["q1"]])
    per = ((t - q) ** 2).mean(axis=0)
    assert got["metrics"][key] == pytest.approx(0.2 * per[0] + 0.8 * per[1])


def test_every_printed_classification_key_runs_in_the_cli(tmp_path: Path) -> None:
    # The keys fitscope prints for multiclass-valid options, all in one --metrics.
    specs = [
        fitscope.metric("precision", average=None, zero_division=float("nan")),
        fitscope.metric("fbeta", average="macro", beta=0.5),
        fitscope.metric("recall", average="weighted", zero_division=1),
        fitscope.metric("accuracy", normalize=False),
        fitscope.metric("balanced_accuracy", adjusted=True),
        fitscope.metric("roc_auc", multi_class="ovo", average="weighted"),
        fitscope.metric("log_loss", reduction="sum"),
        fitscope.metric("top_k_accuracy", k=1),
        fitscope.metric("expected_calibration_error", n_bins=5),
        fitscope.metric("confusion_matrix", normalize="pred"),
    ]
    d = _multiclass()
    path = _write_csv(tmp_path / "mc.csv", d)
    got = _eval_json(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
                     "--metrics", ",".join(s.key for s in specs))  # fmt: skip
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])
    want = fitscope.evaluate(d["y"], prob, metrics=specs)
    assert list(got["metrics"]) == list(want)
    for key, value in want.items():
        np.testing.assert_allclose(
            np.asarray(got["metrics"][key], dtype=float), value, rtol=1e-12, err_msg=key
        )


# ---------------------------------------------------------------- class labels in the output
def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["eval", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("kind", ["text", "int"])
def test_json_names_the_classes_of_per_class_results(tmp_path: Path, kind: str) -> None:
    d = _multiclass(n=240)
    classes = CLASSES if kind == "text" else np.array([-3, 5, 12])
    d["y"] = classes[np.searchsorted(CLASSES, d["y"])]
    d["seg"] = np.where(np.arange(240) % 2 == 0, "a", "b")
    path = _write_csv(tmp_path / f"{kind}.csv", d)
    metrics = "precision(average=None),confusion_matrix,accuracy"
    got = _eval_json(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
                     "--metrics", metrics, "--by", "seg")  # fmt: skip
    # The Python API's names for the same results: Evaluator.classes.
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])
    ev = fitscope.Evaluator(fitscope.metrics.evaluator.split_names(metrics)).update(d["y"], prob)
    assert got["labels"] == ev.classes.tolist() == classes.tolist()
    want = ev.compute()
    np.testing.assert_allclose(
        got["metrics"]["precision(average=None)"], want["precision(average=None)"]
    )
    np.testing.assert_array_equal(got["metrics"]["confusion_matrix"], want["confusion_matrix"])
    for seg in got["segments"]:
        assert seg["labels"] == classes.tolist()


def test_segments_name_their_classes(tmp_path: Path) -> None:
    y = np.array(["cat", "dog", "emu", "cat", "dog", "cat"])
    d = {
        "y": y,
        "p_cat": np.where(y == "cat", 0.8, 0.1),
        "p_dog": np.where(y == "dog", 0.8, 0.1),
        "p_emu": np.where(y == "emu", 0.8, 0.1),
        "seg": np.array(["a", "a", "a", "b", "b", "b"]),
    }
    path = _write_csv(tmp_path / "seg.csv", d)
    got = _eval_json(str(path), "--label", "y", "--pred", "p_emu", "p_cat", "p_dog",
                     "--metrics", "confusion_matrix", "--by", "seg",
                     "--labels", "emu,cat,dog")  # fmt: skip
    assert got["labels"] == ["emu", "cat", "dog"]
    by = {s["value"]: s for s in got["segments"]}
    assert by["a"]["labels"] == by["b"]["labels"] == ["emu", "cat", "dog"]
    assert by["b"]["metrics"]["confusion_matrix"] == [[0, 0, 0], [0, 2, 0], [0, 0, 1]]


@pytest.mark.parametrize("kind", ["text", "int"])
def test_table_names_per_class_values_and_matrix_axes(tmp_path: Path, kind: str) -> None:
    d = _multiclass(n=90, seed=4)
    classes = CLASSES if kind == "text" else np.array([7, 8, 9])
    d["y"] = classes[np.searchsorted(CLASSES, d["y"])]
    path = _write_csv(tmp_path / f"{kind}.csv", d)
    out = _run(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
               "--metrics", "recall(average=None),confusion_matrix", "--labels",
               ",".join(map(str, classes[::-1])))  # fmt: skip
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])  # one per --labels entry
    want = fitscope.evaluate(
        d["y"], prob, metrics=["recall(average=None)", "confusion_matrix"],
        labels=classes[::-1].tolist(),
    )  # fmt: skip
    first, second, third = classes[::-1]
    rec = want["recall(average=None)"]
    assert f"{first}={rec[0]:.6g}  {second}={rec[1]:.6g}" in out
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if "true \\ pred" in line)
    assert lines[head].split()[-3:] == [str(first), str(second), str(third)]
    cm = want["confusion_matrix"]
    for i, name in enumerate((first, second, third)):
        row = next(line for line in lines[head + 1 :] if line.split()[:1] == [str(name)])
        assert row.split()[-3:] == [str(x) for x in cm[i]]


def test_multilabel_and_regression_keep_their_labels(tmp_path: Path) -> None:
    d = _multioutput()
    path = _write_csv(tmp_path / "mo.csv", d)
    got = _eval_json(str(path), "--label", "t0", "t1", "--pred", "q0", "q1",
                     "--metrics", "mse(multioutput=raw_values)")  # fmt: skip
    assert got["labels"] == ["t0", "t1"]
    one = _eval_json(str(path), "--label", "t0", "--pred", "q0", "--metrics", "mse")
    assert "labels" not in one  # one regression target: nothing to name


# ---------------------------------------------------------------- predicted labels in --pred
def _predicted(kind: str, n: int = 180, seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    classes = CLASSES if kind == "text" else np.array([0, 1, 2])
    y = classes[rng.integers(0, 3, n)]
    yhat = np.where(rng.random(n) < 0.6, y, classes[rng.integers(0, 3, n)])
    return {"y": y, "yhat": yhat, "w": rng.random(n).round(3)}


@pytest.mark.parametrize("kind", ["text", "int"])
def test_a_predicted_label_column(tmp_path: Path, kind: str) -> None:
    skm = pytest.importorskip("sklearn.metrics")
    d = _predicted(kind)
    path = _write_csv(tmp_path / "pred.csv", d)
    metrics = "accuracy,f1(average=None),confusion_matrix"
    got = _eval_json(str(path), "--label", "y", "--pred", "yhat", "--weight", "w",
                     "--metrics", metrics)  # fmt: skip
    w = d["w"]
    assert got["metrics"]["accuracy"] == pytest.approx(
        skm.accuracy_score(d["y"], d["yhat"], sample_weight=w)
    )
    np.testing.assert_allclose(
        got["metrics"]["f1(average=None)"],
        skm.f1_score(d["y"], d["yhat"], average=None, sample_weight=w),
    )
    np.testing.assert_allclose(
        got["metrics"]["confusion_matrix"],
        skm.confusion_matrix(d["y"], d["yhat"], sample_weight=w),
    )
    assert got["labels"] == sorted(set(d["y"].tolist()))
    # The Python API reads the same column the same way.
    assert got["metrics"]["accuracy"] == pytest.approx(
        fitscope.evaluate(d["y"], d["yhat"], metrics=["accuracy"], sample_weight=w)["accuracy"]
    )


def test_predicted_labels_with_missing_values(tmp_path: Path) -> None:
    d = _predicted("int", n=40)
    text = _write_csv(tmp_path / "p.csv", d).read_text().splitlines()
    text[3] = text[3].split(",")[0] + ",," + text[3].split(",")[2]  # row 3: no prediction
    (tmp_path / "p.csv").write_text("\n".join(text) + "\n")
    got = _eval_json(str(tmp_path / "p.csv"), "--label", "y", "--pred", "yhat", "--drop-nan",
                     "--metrics", "accuracy,f1(average=macro)")  # fmt: skip
    keep = np.arange(40) != 2
    want = fitscope.evaluate(
        d["y"][keep], d["yhat"][keep], metrics=["accuracy", "f1(average=macro)"]
    )
    assert got["dropped"] == 1
    assert got["metrics"] == pytest.approx(want)


def test_scores_are_asked_of_a_predicted_label_column(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "pred.csv", _predicted("text"))
    result = CliRunner().invoke(
        cli, ["eval", str(path), "--label", "y", "--pred", "yhat", "--metrics", "log_loss"]
    )
    assert result.exit_code == 1
    assert "y_pred must hold probabilities" in result.output
    assert "'cat'" in result.output or "'dog'" in result.output or "'emu'" in result.output


def test_binary_probability_column_is_still_a_score(tmp_path: Path) -> None:
    # A float column of one class's probability keeps its meaning (thresholded, ranked).
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 100)
    p = np.clip(0.3 + 0.4 * y + rng.normal(size=100) * 0.2, 0, 1).round(4)
    path = _write_csv(tmp_path / "b.csv", {"y": y, "p": p})
    got = _eval_json(str(path), "--label", "y", "--pred", "p", "--metrics", "accuracy,roc_auc")
    assert got["metrics"] == pytest.approx(fitscope.evaluate(y, p, metrics=["accuracy", "roc_auc"]))


def test_large_text_columns_by_segment_with_dropped_rows_equal_scikit_learn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path of a real prediction file: class names and predicted names as text columns
    read from Arrow's buffers (batches of thousands of rows), some predictions missing
    (--drop-nan), metrics per segment, where one segment never holds one class: each segment
    scores its own rows, named by its own classes, as scikit-learn scores them."""
    from sklearn import metrics as skm

    from fitscope import _textlabels

    read: list[object] = []
    real = _textlabels.from_arrow
    monkeypatch.setattr(_textlabels, "from_arrow", lambda c: read.append(real(c)) or read[-1])
    rng = np.random.default_rng(11)
    n = 30_000
    seg = rng.choice(np.array(["north", "south", "west"]), n)
    y = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, n)]
    y[seg == "west"] = np.where(y[seg == "west"] == "emu", "cat", y[seg == "west"])  # no emu
    pred = np.where(rng.random(n) < 0.7, y, np.array(["cat", "dog", "emu"])[rng.integers(0, 3, n)])
    pred[seg == "west"] = np.where(pred[seg == "west"] == "emu", "dog", pred[seg == "west"])
    missing = rng.random(n) < 0.01
    written = np.where(missing, "", pred)
    path = _write_csv(tmp_path / "preds.csv", {"y": y, "yhat": written, "seg": seg})
    metrics = "accuracy,f1(average=macro),confusion_matrix"
    got = _eval_json(str(path), "--label", "y", "--pred", "yhat", "--by", "seg",
                     "--metrics", metrics, "--drop-nan")  # fmt: skip
    assert any(isinstance(r, _textlabels.CodedText) for r in read)  # the Arrow route was taken
    keep = ~missing
    assert got["dropped"] == int(missing.sum())
    assert got["metrics"]["accuracy"] == pytest.approx(
        skm.accuracy_score(y[keep], pred[keep]), rel=1e-12
    )
    for s in got["segments"]:
        rows = keep & (seg == s["value"])
        labels = np.unique(np.concatenate([y[rows], pred[rows]]))
        assert s["labels"] == labels.tolist()
        assert ("emu" in s["labels"]) == (s["value"] != "west")
        want_f1 = skm.f1_score(y[rows], pred[rows], average="macro")
        assert s["metrics"]["f1(average=macro)"] == pytest.approx(want_f1, rel=1e-12)
        want_cm = skm.confusion_matrix(y[rows], pred[rows], labels=labels).tolist()
        assert s["metrics"]["confusion_matrix"] == want_cm


def test_stray_text_is_named_at_its_line_when_earlier_rows_are_dropped(tmp_path: Path) -> None:
    """A score column with one stray word, after a row with a missing score that --drop-nan
    drops: the error names the word's line in the file, not its place among the kept rows."""
    path = tmp_path / "scores.csv"
    path.write_text("y,p\n0,0.2\n1,\n0,0.3\n1,high\n0,0.1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(path), "--label", "y", "--pred", "p",
                                      "--drop-nan"])  # fmt: skip
    assert result.exit_code == 1
    assert "'high' at line 5" in result.output


@pytest.mark.parametrize("n", [6, 6000])
def test_an_empty_text_label_cell_is_a_missing_value(tmp_path: Path, n: int) -> None:
    """docs/scale.md: in CSV an empty cell is a missing value, in a text label column too (it
    was read as a class named ""): counted without --drop-nan, dropped with it."""
    from sklearn import metrics as skm

    rng = np.random.default_rng(n)
    y = np.array(["cat", "dog"])[rng.integers(0, 2, n)]
    p = np.round(rng.random(n), 3)
    empty = np.zeros(n, dtype=bool)
    empty[[1, n - 2]] = True
    path = _write_csv(tmp_path / "labels.csv", {"y": np.where(empty, "", y), "p": p})
    result = CliRunner().invoke(cli, ["eval", str(path), "--label", "y", "--pred", "p"])
    assert result.exit_code == 1
    assert "Got 2 row(s) with NaN or a missing value" in result.output
    got = _eval_json(str(path), "--label", "y", "--pred", "p", "--pos-label", "dog",
                     "--metrics", "roc_auc,accuracy", "--drop-nan")  # fmt: skip
    keep = ~empty
    assert got["dropped"] == 2
    want = skm.roc_auc_score(y[keep] == "dog", p[keep])
    assert got["metrics"]["roc_auc"] == pytest.approx(want, rel=1e-12)
    acc = skm.accuracy_score(y[keep], np.where(p[keep] >= 0.5, "dog", "cat"))
    assert got["metrics"]["accuracy"] == pytest.approx(acc, rel=1e-12)
