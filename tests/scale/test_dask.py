"""A real dask.distributed LocalCluster with 2 worker processes gives the single-process
results: from Parquet paths split into many tasks, and from a dask DataFrame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fitscope.errors import InvalidInputError, InvalidTypeError
from fitscope.scale import evaluate_dask, evaluate_file

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")
pq = pytest.importorskip("pyarrow.parquet")

METRICS = ["accuracy", "log_loss", "roc_auc", "f1"]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture
def files(tmp_path: Path, table_factory, writer) -> list[Path]:
    return [
        writer(table_factory(1200, seed=1), tmp_path / "a.parquet", row_group=100),
        writer(table_factory(700, seed=2), tmp_path / "b.parquet", row_group=100),
        writer(table_factory(500, seed=3), tmp_path / "c.csv"),
    ]


def test_paths_on_two_workers_equal_one_process(client: Any, files: list[Path], same) -> None:
    assert len(client.scheduler_info()["workers"]) == 2
    one = evaluate_file(files, label="y", pred="p", by="seg", weight="w", metrics=METRICS)
    seen: list[int] = []
    many = evaluate_dask(
        files, label="y", pred="p", by="seg", weight="w", metrics=METRICS,
        scheduler=client, rows_per_task=300, progress=seen.append,
    )  # fmt: skip
    same(many.metrics, one.metrics, weighted=True)
    assert many.n_rows == one.n_rows == 2400
    assert sum(seen) == 2400 and len(seen) == 4 + 3 + 1  # tasks: 1200/300, 700/300 -> 3, 1 CSV
    assert [s.value for s in many.segments] == [s.value for s in one.segments]
    for a, b in zip(many.segments, one.segments, strict=True):
        assert a.n_rows == b.n_rows
        same(a.metrics, b.metrics, weighted=True)


def test_dataframe_by_address(client: Any, files: list[Path], same) -> None:
    frame = dd.read_parquet([str(p) for p in files[:2]]).repartition(npartitions=5)
    one = evaluate_file(files[:2], label="y", pred="p", by="seg", metrics=METRICS)
    many = evaluate_dask(
        frame, label="y", pred="p", by="seg", metrics=METRICS,
        scheduler=client.scheduler.address,
    )  # fmt: skip
    same(many.metrics, one.metrics)
    assert {s.value: s.n_rows for s in many.segments} == {s.value: s.n_rows for s in one.segments}


def test_errors_from_workers_keep_their_type(client: Any, tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text("y,p\n0,0.1\n1,\n1,0.7\n")
    with pytest.raises(InvalidInputError, match=r"Got 1 row\(s\) .* row 2 of"):
        evaluate_dask(path, label="y", pred="p", scheduler=client)
    frame = dd.read_csv(str(path))
    with pytest.raises(InvalidInputError, match="the columns are: y, p"):
        evaluate_dask(frame, label="y", pred="q", scheduler=client)
    with pytest.raises(InvalidTypeError, match="scheduler must be None"):
        evaluate_dask(path, label="y", pred="p", scheduler=3)
    with pytest.raises(InvalidTypeError, match="data must be a dask DataFrame"):
        evaluate_dask(3, label="y", pred="p", scheduler=client)


def test_cli_dask_local_cluster_and_address(client: Any, files: list[Path]) -> None:
    import json

    from click.testing import CliRunner

    from fitscope.cli import cli

    want = evaluate_file(files, label="y", pred="p", metrics=["accuracy"]).to_dict()
    args = ["eval", *map(str, files), "--label", "y", "--pred", "p", "--metrics", "accuracy"]
    # A bare --dask before a path starts a LocalCluster of its own (2 workers) for the call.
    local = CliRunner().invoke(cli, ["eval", "--dask", *args[1:], "--json"])
    assert local.exit_code == 0, local.output
    assert json.loads(local.stdout) == want
    remote = CliRunner().invoke(cli, [*args, "--json", "--dask", client.scheduler.address])
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == want
