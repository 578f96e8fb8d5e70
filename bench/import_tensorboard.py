"""Reading a TensorBoard event file: fitscope's importer vs tensorboard's own loaders, in one run.

python bench/import_tensorboard.py [N]     (N scalars, default 50,000)
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

from tensorboard.backend.event_processing.event_file_loader import (
    EventFileLoader,
    LegacyEventFileLoader,
)
from torch.utils.tensorboard import SummaryWriter

from fitscope.integrations.importers import read_logs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    folder = pathlib.Path(tempfile.mkdtemp())
    writer = SummaryWriter(folder / "train")
    for i in range(n):
        writer.add_scalar("loss", 1.0 / (i + 1), i)
    writer.close()
    (file,) = (folder / "train").iterdir()
    timings = {}
    for name, read in (
        ("fitscope read_logs", lambda: read_logs(folder)),
        (
            "tensorboard LegacyEventFileLoader",
            lambda: list(LegacyEventFileLoader(str(file)).Load()),
        ),
        ("tensorboard EventFileLoader", lambda: list(EventFileLoader(str(file)).Load())),
    ):
        start = time.perf_counter()
        read()
        timings[name] = time.perf_counter() - start
    base = timings["fitscope read_logs"]
    for name, seconds in timings.items():
        print(
            f"{name:36s} {seconds:6.2f} s  {n / seconds:>10,.0f} scalars/s  {seconds / base:4.1f}x"
        )


if __name__ == "__main__":
    main()
