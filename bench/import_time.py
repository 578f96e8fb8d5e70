"""What `import fitscope` costs someone who wants one metric, next to its peers.

Each case runs in a fresh interpreter (a module imported once stays imported), the cases take
turns (a slow spell on the machine hits every case alike), and the median of ``--repeat`` runs
is reported: the seconds from the first import to the metric's result, measured inside the
child (wall clock, and the process's CPU time, which a machine loaded by others inflates far
less), so interpreter start-up is left out. The target (issue 14) is under 0.3 s for
`import fitscope; fitscope.metrics.accuracy(...)`; the store and the solvers load only when
used, which the `... then Store` and `... then L-BFGS` rows show.

Run: .venv/bin/python bench/import_time.py [--repeat 11] [--torchmetrics]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from _common import ROOT, load_average, machine_info, print_machine, table

TARGET_S = 0.3

CASES: dict[str, str] = {
    "numpy alone (floor)": "import numpy",
    "fitscope: accuracy": "import fitscope\nfitscope.metrics.accuracy([0, 1], [0, 1])",
    "fitscope: accuracy, then Store": (
        "import fitscope\nfitscope.metrics.accuracy([0, 1], [0, 1])\nfitscope.Store"
    ),
    "fitscope: accuracy, then L-BFGS fit": (
        "import fitscope\nfitscope.metrics.accuracy([0, 1], [0, 1])\n"
        "fitscope.LogisticRegression(epochs=2).fit([[0.0], [1.0]], [0, 1])"
    ),
    "scikit-learn: accuracy_score": (
        "from sklearn.metrics import accuracy_score\naccuracy_score([0, 1], [0, 1])"
    ),
}
TORCHMETRICS = (
    "import torch, torchmetrics.functional as F\n"
    "F.accuracy(torch.tensor([0, 1]), torch.tensor([0, 1]), task='binary')"
)


def _child_seconds(code: str) -> tuple[float, float]:
    """(wall, CPU) seconds of ``code`` in a fresh interpreter."""
    start = "import time\n_t, _c = time.perf_counter(), time.process_time()\n"
    end = "\nprint(time.perf_counter() - _t, time.process_time() - _c)"
    timed = start + code + end
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", timed], capture_output=True, text=True, env=env, check=True
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="fresh processes per case")
    parser.add_argument("--torchmetrics", action="store_true", help="add torchmetrics (slow)")
    args = parser.parse_args()
    cases = dict(CASES)
    if args.torchmetrics:
        cases["torchmetrics: accuracy"] = TORCHMETRICS
    print_machine(machine_info())
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, code in cases.items():
            wall, cpu = _child_seconds(code)
            times[name].append(wall)
            cpus[name].append(cpu)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    cpu_med = {name: statistics.median(cs) for name, cs in cpus.items()}
    ours = med["fitscope: accuracy"]
    rows = [
        (
            name,
            f"{med[name]:.3f}",
            f"{min(ts):.3f}",
            f"{max(ts):.3f}",
            f"{cpu_med[name]:.3f}",
            f"{med[name] / ours:.2f}",
        )
        for name, ts in times.items()
    ]
    headers = ("case", "median s", "min s", "max s", "CPU median s", "/ fitscope: accuracy")
    print(table(headers, rows, title=f"import + first call, {args.repeat} fresh processes each"))
    print(f"load at the end: {load_average()}")
    # numpy is the floor nothing can go under; on a loaded machine it alone can pass 0.3 s.
    floor = med["numpy alone (floor)"]
    print(f"fitscope's own share above the numpy floor: {ours - floor:.3f} s")
    for what, value in (("wall", ours), ("CPU", cpu_med["fitscope: accuracy"])):
        verdict = "PASS" if value < TARGET_S else "FAIL"
        print(
            f"{verdict}: import fitscope + accuracy, median {what} {value:.3f} s (< {TARGET_S} s)"
        )


if __name__ == "__main__":
    main()
