"""How often the doctor raises an alarm on healthy synthetic runs, and how often it finds the
planted problem (overfitting) - the rates quoted in docs/doctor.md.

Run: .venv/bin/python bench/doctor_alarms.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "doctor"))

from synth import healthy, overfit

import fitscope


def main() -> None:
    seeds = range(40)
    print("healthy runs: share with any finding (40 seeds per cell)")
    print("epochs  " + "  ".join(f"noise {n:.0%}" for n in (0.01, 0.03, 0.06)))
    codes: Counter[str] = Counter()
    for n in (6, 8, 10, 15, 20, 30, 50, 100, 200):
        row = []
        for noise in (0.01, 0.03, 0.06):
            hits = 0
            for seed in seeds:
                found = [f.code for f in fitscope.diagnose(healthy(n, seed, noise))]
                codes.update(found)
                hits += bool(found)
            row.append(f"{hits / len(seeds):8.1%}")
        print(f"{n:6d}  " + "  ".join(row))
    print("codes raised on healthy runs:", dict(codes))
    found_rate = []
    for n, onset in ((20, 8), (30, 10), (60, 20), (100, 40)):
        for noise in (0.01, 0.03, 0.06):
            hit = sum(
                "overfitting" in [f.code for f in fitscope.diagnose(overfit(n, onset, s, noise))]
                for s in seeds
            )
            found_rate.append((n, onset, noise, hit / len(seeds)))
    print("overfitting found (epochs, onset, noise, share):")
    for n, onset, noise, rate in found_rate:
        print(f"  {n:4d} {onset:4d} {noise:5.0%} {rate:7.1%}")


if __name__ == "__main__":
    main()
