"""Peak memory does not grow with the file: a file whose rows take several times the memory
allowance is evaluated within it, in a fresh process whose peak RSS is measured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 24_000_000  # 384 MB as float64 label + float64 prediction
ALLOWANCE_MB = 64  # peak RSS over the same process evaluating a 2-row file

CHILD = """
import resource, sys
from fitscope.scale import evaluate_file
r = evaluate_file(sys.argv[1], label="y", pred="p", chunk_rows=1 << 16)
print(r.n_rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(path: Path) -> tuple[int, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1]) / 1024  # ru_maxrss is in KiB on Linux


def test_peak_memory_is_bounded(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.parquet"
    pq.write_table(pa.table({"y": [0, 1], "p": [0.2, 0.7]}), tiny)
    big = tmp_path / "big.parquet"
    block = 1_000_000
    rng = np.random.default_rng(0)
    chunk = pa.table({"y": rng.integers(0, 2, block).astype(float), "p": rng.random(block)})
    schema = chunk.schema
    with pq.ParquetWriter(big, schema, compression="none", use_dictionary=False) as w:
        for _ in range(ROWS // block):
            w.write_table(chunk, row_group_size=1 << 17)
    data_mb = ROWS * 16 / 2**20
    assert data_mb >= 5 * ALLOWANCE_MB
    _, base = peak_rss_mb(tiny)
    rows, peak = peak_rss_mb(big)
    assert rows == ROWS
    assert peak - base < ALLOWANCE_MB, (
        f"peak RSS {peak:.0f} MB vs {base:.0f} MB for a 2-row file, for {data_mb:.0f} MB of rows"
    )
