"""``fitscope eval`` on CSV runs in bounded memory like Parquet: for the same rows its peak RSS
is within 2x of the Parquet peak, and what it adds over a 2-row file within 2x of what Parquet
adds (plus 16 MB: one block per thread). Measured in fresh child processes, as
tests/scale/test_memory.py does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import child_env

pytest.importorskip("pyarrow")

ROWS = 6_000_000

CHILD = """
import resource, sys
from fitscope.scale import evaluate_file
r = evaluate_file(sys.argv[1], label="y", pred="p", chunk_rows=1 << 16)
print(r.n_rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(path: Path) -> tuple[int, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
    ).stdout.split()
    return int(out[0]), int(out[1]) / 1024  # ru_maxrss is in KiB on Linux


MAKE = """
import sys
import numpy as np, pyarrow as pa, pyarrow.csv as pcsv, pyarrow.parquet as pq
rows, folder = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
table = pa.table({"y": rng.integers(0, 2, rows).astype(float), "p": rng.random(rows)})
pq.write_table(table.slice(0, 2), folder + "/tiny.parquet")
pq.write_table(table, folder + "/rows.parquet", row_group_size=1 << 17)
pcsv.write_csv(table, folder + "/rows.csv")
"""


def test_csv_peak_is_within_twice_the_parquet_peak(tmp_path: Path) -> None:
    # The files are written by a child too: Linux carries a parent's peak RSS into the
    # children it forks, so this process must never hold the rows itself.
    subprocess.run([sys.executable, "-c", MAKE, str(ROWS), str(tmp_path)], check=True)
    _, base = peak_rss_mb(tmp_path / "tiny.parquet")
    rows_pq, peak_pq = peak_rss_mb(tmp_path / "rows.parquet")
    rows_csv, peak_csv = peak_rss_mb(tmp_path / "rows.csv")
    assert rows_pq == rows_csv == ROWS
    report = f"CSV {peak_csv:.0f} MB, Parquet {peak_pq:.0f} MB, 2-row file {base:.0f} MB"
    assert peak_csv <= 2 * peak_pq, report
    assert peak_csv - base <= 2 * (peak_pq - base) + 16, report
