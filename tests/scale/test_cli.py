"""``fitscope eval``: the same numbers as the API, table and JSON output, the error contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitscope.cli import cli
from fitscope.scale import evaluate_file


@pytest.fixture
def data(tmp_path: Path, table_factory, writer) -> Path:
    return writer(table_factory(800, seed=11), tmp_path / "preds.parquet")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_equals_the_api(data: Path) -> None:
    code, out, _ = run(
        str(data), "--label", "y", "--pred", "p", "--weight", "w", "--by", "seg",
        "--metrics", "accuracy,log_loss,roc_auc", "--threshold", "0.4", "--json",
    )  # fmt: skip
    assert code == 0, out
    want = evaluate_file(
        data, label="y", pred="p", weight="w", by="seg", threshold=0.4,
        metrics=["accuracy", "log_loss", "roc_auc"],
    ).to_dict()  # fmt: skip
    assert json.loads(out) == want


def test_table_output(data: Path) -> None:
    code, out, _ = run(str(data), "--label", "y", "--pred", "p", "--by", "seg")
    assert code == 0, out
    assert "800 rows" in out and "by seg (weakest first)" in out
    assert out.index("west") < out.index("north")  # the noisiest segment first
    assert "accuracy" in out and "higher" in out and "lower" in out


def test_several_pred_columns_and_paths_after_them(tmp_path: Path, table_factory, writer) -> None:
    path = writer(table_factory(300, classes=3), tmp_path / "mc.csv")
    code, out, _ = run("--label", "y", "--pred", "p0", "p1", "p2", str(path), "--json")
    assert code == 0, out
    want = evaluate_file(path, label="y", pred=["p0", "p1", "p2"]).to_dict()
    assert json.loads(out) == want
    code, out, _ = run(str(path), "--label", "y", "--pred", "p0,p1,p2", "--json")
    assert json.loads(out) == want


def test_logits_and_drop_nan(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("y,z\n0,-2\n1,3\n1,\n0,0.5\n")
    code, out, _ = run(str(path), "--label", "y", "--pred", "z", "--logits", "--drop-nan")
    assert code == 0, out
    assert "dropped 1 row(s)" in out
    code, out, _ = run(str(path), "--label", "y", "--pred", "z", "--logits", "--json", "--drop-nan")
    got = json.loads(out)
    assert got["rows"] == 3 and got["dropped"] == 1 and got["metrics"]["accuracy"] == 2 / 3
    # Without the option: the library's message (drop_nan=True) plus the command line's option.
    code, _, err = run(str(path), "--label", "y", "--pred", "z", "--logits")
    assert code == 1 and "Pass drop_nan=True to skip them." in err
    assert "(On the command line, drop_nan= is the option --drop-nan.)" in err


def test_errors_exit_1_with_the_message(data: Path) -> None:
    code, _, err = run(str(data), "--label", "y", "--pred", "nope")
    assert code == 1
    assert err.startswith("Error: pred must name a column of")
    assert "the columns are: y, seg, w, logit, p" in err
    code, _, err = run(str(data), "--label", "y", "--pred", "p", "--metrics", "acuracy")
    assert code == 1 and "Did you mean 'accuracy'" in err


def test_help() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for option in ("--label", "--pred", "--by", "--weight", "--logits", "--drop-nan", "--dask"):
        assert option in out


def test_json_with_date_segments(tmp_path: Path) -> None:
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    days = [datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)] * 3
    path = tmp_path / "days.parquet"
    pq.write_table(
        pa.table({"y": [0, 1, 1, 0, 1, 0], "p": [0.2, 0.8, 0.3, 0.4, 0.9, 0.6], "day": days}), path
    )
    code, out, _ = run(str(path), "--label", "y", "--pred", "p", "--by", "day", "--json")
    assert code == 0, out
    got = json.loads(out)
    assert {s["value"]: s["rows"] for s in got["segments"]} == {"2026-01-01": 3, "2026-01-02": 3}


def test_all_zero_weights_give_nan_for_means_and_r2(tmp_path: Path) -> None:
    # docs/metrics.md: nan for means (r2 too, not the perfect 1.0 of a constant target), zero
    # for sums; JSON writes nan as null.
    path = tmp_path / "zero.csv"
    path.write_text("y,p,w\n0,0.2,0\n1,0.8,0\n0,0.6,0\n1,0.4,0\n")
    code, out, _ = run(
        str(path), "--label", "y", "--pred", "p", "--weight", "w", "--metrics", "r2,mse,rss",
        "--json",
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["metrics"] == {"r2": None, "mse": None, "rss": 0.0}
