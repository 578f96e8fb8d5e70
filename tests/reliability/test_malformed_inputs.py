"""Every malformed input to ``eval``, ``import``, ``doctor`` and ``report`` ends in one
``Error:`` line naming the file (and the line where there is one) and exit code 1, never a
traceback; a failed import leaves no run behind. Each case runs the command in this process
(click's runner: an uncaught exception, the thing that prints a traceback, shows as a result
exception other than SystemExit); one case of each command also runs as a real child process,
whose stderr is checked for "Traceback" as a user would see it."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli as cli_group

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

CSV = "y,p\n" + "".join(f"{i % 2},{0.3 if i % 2 == 0 else 0.7}\n" for i in range(20_000))


def _parquet(folder: Path) -> bytes:
    path = folder / "_good.parquet"
    pq.write_table(pa.table({"y": [0, 1] * 500, "p": [0.2, 0.8] * 500}), path)
    data = path.read_bytes()
    path.unlink()
    return data


def _eval_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (content, text the one error line must hold besides the file name)."""
    parquet = _parquet(folder)
    gz, bz = gzip.compress(CSV.encode()), bz2.compress(CSV.encode())
    return {
        "truncated.parquet": (parquet[: len(parquet) // 2], "must be a readable Parquet file"),
        "corrupt.parquet": (
            parquet[:100] + b"\xff" * 200 + parquet[300:],
            "must be a readable Parquet file",
        ),
        "garbage.parquet": (b"not a parquet file" * 10, "must be a readable Parquet file"),
        "truncated.csv.gz": (gz[: len(gz) // 2], "must be a readable CSV file"),
        "corrupt.csv.gz": (gz[:20] + b"\0" * 50 + gz[70:], "must be a readable CSV file"),
        "truncated.csv.bz2": (bz[: len(bz) // 2], "must be a readable CSV file"),
        "corrupt.csv.bz2": (bz[:20] + b"\0" * 50 + bz[70:], "must be a readable CSV file"),
        "ragged.csv": (b"y,p\n0,0.2\n1,0.8,5\n0,0.1\n", "(line 3) must be a readable CSV"),
        "text.csv": (b"y,p\n0,0.2\n1,abc\n", "'abc' at line 3"),
        "duplicate.csv": (b"y,p,p\n0,0.2,0.9\n1,0.8,0.1\n", "column 'p' once"),
        "notutf8.csv": (b"y,\xff\xfe\n0,0.2\n", "must be UTF-8 text"),
    }


def _import_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    tb_record = b"\x10" + b"\0" * 7 + b"\0" * 4 + b"\xff" * 16 + b"\0" * 4
    return {
        "ragged.csv": (b"epoch,loss,accuracy\n0,0.9,0.5\n1,0.8,0.6,7\n", "line 3 must have 3"),
        "text.csv": (b"epoch,loss,accuracy\n0,0.9,0.5\n1,oops,0.6\n", "line 3 column 'loss'"),
        "duplicate.csv": (b"epoch,loss,loss\n0,0.9,0.5\n", "'loss' twice (columns 2 and 3)"),
        "notutf8.csv": (b"epoch,loss\n0,\xff\xfe\n", "UTF-8"),
        "fraction.csv": (
            b"step,epoch,train_loss\n1,0,0.9\n1.5,0,0.8\n",
            "line 3 column 'step' must be a whole number",
        ),
        "invalid.json": (b'{"log_history": [{"step": 1, "loss": 0.5},', "line 1 column 43"),
        "step_1e30.json": (
            b'{"log_history": [{"step": 1, "loss": 0.5}, {"step": 1e30, "loss": 0.4}]}',
            "log_history[1].step must be a step from 0 to",
        ),
        "bad_entry.json": (b'{"log_history": [{"step": "x", "loss": 0.5}]}', "step must be"),
        "events.out.tfevents.1.host": (tb_record * 3, "corrupt record at byte offset 0"),
    }


def _doctor_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    return {
        "invalid.json": (b'{"loss": [0.5, 0.4],', "must be valid JSON"),
        "ragged.csv": (b"epoch,loss,val_loss\n0,0.9,1.0\n1,0.8\n", "line 3 must have 3"),
        "text.csv": (b"epoch,loss,val_loss\n0,0.9,1.0\n1,x,0.9\n", "line 3 column 'loss'"),
        "duplicate.csv": (b"epoch,loss,loss\n0,0.9,1.0\n", "'loss' twice"),
        "notutf8.csv": (b"epoch,loss\n0,\xff\xfe\n", "must be UTF-8 text"),
    }


class Outcome:
    """What a command did: exit code, stdout, stderr (as subprocess.CompletedProcess names
    them), whichever way it ran."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def in_process(*args: str, cwd: Path) -> Outcome:
    """``fitscope ARGS`` through click's runner, in ``cwd``; an uncaught exception fails here
    with its traceback (it would have printed one)."""
    runner = CliRunner()
    with contextlib.chdir(cwd):
        result = runner.invoke(cli_group, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"fitscope {' '.join(args)} raised instead of exiting cleanly"
        ) from result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def check_one_error(result: Any, name: str, needle: str) -> None:
    assert result.returncode == 1, (name, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert name in lines[0] and needle in lines[0], (needle, lines[0])


def test_eval_malformed_files(tmp_path: Path, cli: Callable[..., Any]) -> None:
    for i, (name, (content, needle)) in enumerate(_eval_files(tmp_path).items()):
        (tmp_path / name).write_bytes(content)
        run = cli if i == 0 else in_process
        result = run("eval", name, "--label", "y", "--pred", "p", cwd=tmp_path)
        check_one_error(result, name, needle)


def test_import_malformed_files_leave_no_run(tmp_path: Path, cli: Callable[..., Any]) -> None:
    store = tmp_path / "runs.db"
    fitscope.Store(store).close()
    for i, (name, (content, needle)) in enumerate(_import_files(tmp_path).items()):
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_bytes(content)
        target = folder / name
        run = cli if i == 0 else in_process
        result = run("import", str(target), "--store", str(store), cwd=tmp_path)
        check_one_error(result, name, needle)
    assert fitscope.Store(store).runs() == []  # no failed import left a run behind


def test_doctor_malformed_files(tmp_path: Path, cli: Callable[..., Any]) -> None:
    for i, (name, (content, needle)) in enumerate(_doctor_files(tmp_path).items()):
        (tmp_path / name).write_bytes(content)
        run = cli if i == 0 else in_process
        result = run("doctor", name, cwd=tmp_path)
        check_one_error(result, name, needle)


def test_damaged_stores(tmp_path: Path, cli: Callable[..., Any]) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a SQLite file" * 100)
    versioned = tmp_path / "version.db"
    fitscope.Store(versioned).close()
    with sqlite3.connect(versioned) as conn:
        conn.execute("UPDATE fitscope_meta SET value = 'garbage' WHERE key = 'schema_version'")
    for store, needle in ((garbage, "file is not a database"), (versioned, "schema_version")):
        for args in (["report", "x"], ["doctor", "x"], ["runs", "list"]):
            run = cli if args[0] == "report" else in_process
            result = run(*args, "--store", str(store), cwd=tmp_path)
            check_one_error(result, store.name, needle)


# -- what is handled rather than refused ---------------------------------------------------------


def test_import_keeps_nan_bom_and_wide_headers(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    log = tmp_path / "nan.csv"
    log.write_bytes(b"\xef\xbb\xbfepoch,loss,accuracy\n0,0.9,0.5\n1,nan,0.6\n2,inf,0.7\n")
    result = in_process("import", str(log), "--store", str(store), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    record = fitscope.Store(store).get_run("nan")
    loss = record.history("loss").values
    assert record.history("loss").steps.tolist() == [0, 1, 2]
    assert loss[0] == 0.9 and np.isnan(loss[1]) and np.isinf(loss[2])  # divergence kept
    wide = tmp_path / "wide.csv"
    names = ["epoch", "loss", *(f"metric_{i:06d}" for i in range(8000))]  # a 120 KiB header
    wide.write_text(",".join(names) + "\n" + ",".join(["0", "0.9"] + ["1"] * 8000) + "\n")
    result = in_process("import", str(wide), "--store", str(store), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(fitscope.Store(store).get_run("wide").series()) == 8001


def test_eval_reads_bom_and_wide_headers(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfy,p\n0,0.2\n1,0.8\n")
    names = ["y", "p", *(f"c{i:06d}" for i in range(10_000))]  # an 80 KiB header
    (tmp_path / "wide.csv").write_text(
        ",".join(names) + "\n" + ",".join(["0", "0.2"] + ["1"] * 10_000) + "\n"
    )
    for name, rows in (("bom.csv", 2), ("wide.csv", 1)):
        result = in_process("eval", name, "--label", "y", "--pred", "p", "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["rows"] == rows
        assert document["metrics"]["accuracy"] == 1.0
