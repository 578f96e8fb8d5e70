"""Every way a file can be wrong gets a typed error that says what and where."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitscope.errors import InvalidInputError, InvalidTypeError, UnknownMetricError
from fitscope.scale import evaluate_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def test_nan_rows_error_counts_them_and_names_the_first(tmp_path: Path) -> None:
    p = np.full(1000, 0.5)
    p[[123, 500, 999]] = np.nan
    y = pa.array(np.zeros(1000, dtype=np.int64), mask=np.arange(1000) == 50)
    path = tmp_path / "nan.parquet"
    pq.write_table(pa.table({"y": y, "p": p}), path, row_group_size=100)
    with pytest.raises(InvalidInputError) as info:
        evaluate_file(path, label="y", pred="p", chunk_rows=64)
    message = str(info.value)
    assert "Got 4 row(s) with NaN or a missing value" in message
    assert f"the first at row 51 of {path}" in message  # y is missing on data row 51
    assert "Pass drop_nan=True" in message and "--" not in message  # the CLI adds --drop-nan
    assert info.value.argument == "drop_nan"


def test_nan_in_csv_counts_rows_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("y,p\n0,0.1\n1,0.9\n")
    (tmp_path / "b.csv").write_text("y,p\n0,0.1\n1,\n1,nan\n")
    with pytest.raises(InvalidInputError, match=r"Got 2 row\(s\) .* row 2 of .*b\.csv"):
        evaluate_file(tmp_path, label="y", pred="p")


def test_missing_column_lists_the_columns(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_text("label,score,group\n0,0.1,x\n")
    with pytest.raises(InvalidInputError) as info:
        evaluate_file(csv, label="label", pred="prob")
    assert str(info.value) == (
        f"pred must name a column of {csv}. Got 'prob', which is not there; the columns are: "
        "label, score, group."
    )
    parquet = tmp_path / "a.parquet"
    pq.write_table(pa.table({"label": [0], "score": [0.1]}), parquet)
    with pytest.raises(InvalidInputError, match=r"by must name a column .* label, score"):
        evaluate_file(parquet, label="label", pred="score", by="region")


def test_mixed_type_column_is_named(tmp_path: Path) -> None:
    rows = "".join(f"{i % 2},0.{i % 9}\n" for i in range(5000))
    csv = tmp_path / "mixed.csv"
    csv.write_text("y,p\n" + rows + "1,high\n")
    with pytest.raises(
        InvalidTypeError, match=r"column 'p' must hold only numbers \(scores\) or"
    ) as e:
        evaluate_file(csv, label="y", pred="p")  # read as text: "high" is in the first block
    assert "'high' at line 5002 among numbers" in str(e.value)  # the header, 5,000 rows, it
    parquet = tmp_path / "text.parquet"
    pq.write_table(pa.table({"y": [0, 1], "p0": ["0.1", "0.9"], "p1": ["0.9", "0.1"]}), parquet)
    with pytest.raises(InvalidTypeError, match=r"column 'p0' must hold numbers\. Got type string"):
        evaluate_file(parquet, label="y", pred=["p0", "p1"])
    # One text prediction column is predicted labels (docs/scale.md), unless it holds numbers.
    with pytest.raises(
        InvalidTypeError, match=r"'0\.1' at row 1 \(a number stored as text\) in .*text\.parquet"
    ):
        evaluate_file(parquet, label="y", pred="p0")


def test_paths_must_exist_and_be_data(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        evaluate_file(tmp_path / "nope.parquet", label="y", pred="p")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InvalidInputError, match=r"CSV or Parquet files\. Got .*notes\.txt"):
        evaluate_file(tmp_path / "notes.txt", label="y", pred="p")
    with pytest.raises(InvalidInputError, match="holds none"):
        evaluate_file(tmp_path, label="y", pred="p")
    with pytest.raises(InvalidInputError, match="at least one file"):
        evaluate_file([], label="y", pred="p")


def test_bad_values_say_where(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("y,p\n0,0.1\n1,1.5\n")
    with pytest.raises(InvalidInputError, match=r"probabilities in \[0, 1\].*rows 1-2 of"):
        evaluate_file(path, label="y", pred="p")


def test_options_are_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("y,p\n0,0.1\n")
    with pytest.raises(UnknownMetricError, match="Did you mean 'accuracy'"):
        evaluate_file(path, label="y", pred="p", metrics=["acuracy"])
    with pytest.raises(InvalidInputError, match="chunk_rows must be an integer >= 1"):
        evaluate_file(path, label="y", pred="p", chunk_rows=0)
    with pytest.raises(InvalidTypeError, match="drop_nan must be True or False"):
        evaluate_file(path, label="y", pred="p", drop_nan="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="pred must name distinct columns"):
        evaluate_file(path, label="y", pred=["p", "p"])


def test_all_rows_dropped(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("y,p\n0,\n1,nan\n")
    with pytest.raises(InvalidInputError, match="every row had NaN"):
        evaluate_file(path, label="y", pred="p", drop_nan=True)


def test_missing_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from fitscope.errors import MissingDependencyError
    from fitscope.scale import evaluate_dask
    from fitscope.scale._sources import require

    path = tmp_path / "p.csv"
    path.write_text("y,p\n0,0.1\n")
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    require.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r'pip install "fitscope\[scale\]"'):
            evaluate_dask(path, label="y", pred="p")
    finally:
        require.cache_clear()
