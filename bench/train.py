"""Benchmark: time to reach scikit-learn's optimum, fitscope's newton / lbfgs vs scikit-learn's.

    .venv/bin/python bench/train.py [--sizes 1e5] [--large] [--repeat N]
                                    [--out bench/results/train.json]

Data: make_classification(n, 50 features, 10 informative, random_state=0), float64; binary
logistic regression with C = 1, i.e. our l2 = 1 / n (scikit-learn's objective is n times ours,
so both have one minimiser). ``--large`` adds n = 1e6 (about 400 MB of X; tens of seconds on
2 cores, so it is behind a flag).

The optimum f* is the lowest objective (ours, mean log loss + (l2/2)||w||^2) reached by
scikit-learn's newton-cholesky at tol=1e-12 and our newton at tol=1e-12. For each solver the
script fits with tol = 1e-2, 1e-3, ... until the final objective is within 1e-6 of f* and
reports that fit's time (median of ``--repeat`` rounds that time every solver once each, in
turn, default threading) and its peak traced memory (tracemalloc, which sees numpy's buffers)
divided by X.nbytes. Our fits record the
per-epoch history (loss and accuracy on the whole training set) as users get it; that cost is
included. Targets from issue 3: ours no slower than scikit-learn's fastest; peak <= 3x X.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ROOT,
    fmt_seconds,
    fmt_size,
    machine_info,
    parse_sizes,
    peak_memory,
    print_machine,
    table,
    write_json,
)
from fitscope.models import LogisticRegression, Objective

TOLS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)
TARGET_GAP = 1e-6


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n, n_features=50, n_informative=10, random_state=0, flip_y=0.05
    )
    return np.ascontiguousarray(X, dtype=np.float64), y


Fitter = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def _fitters(n: int) -> dict[str, Fitter]:
    from sklearn.linear_model import LogisticRegression as Sk

    def sk(solver: str) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
        def fit(X: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning at loose tolerances
                m = Sk(C=1.0, solver=solver, tol=tol, max_iter=10_000).fit(X, y)
            return np.r_[m.coef_.ravel(), m.intercept_]

        return fit

    def ours(solver: str) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
        def fit(X: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
            m = LogisticRegression(l2=1.0 / n, solver=solver, tol=tol, epochs=10_000).fit(X, y)
            return np.r_[m.coef_.ravel(), m.intercept_]

        return fit

    return {
        "fitscope newton": ours("newton"),
        "fitscope lbfgs": ours("lbfgs"),
        "sklearn newton-cholesky": sk("newton-cholesky"),
        "sklearn lbfgs": sk("lbfgs"),
    }


def _tolerance(fit: Fitter, X: np.ndarray, y: np.ndarray, obj: Objective, best: float) -> Any:
    """The loosest tol in TOLS whose fit lands within TARGET_GAP of f*, and that gap."""
    for tol in TOLS:
        gap = obj.value(fit(X, y, tol)) - best
        if gap <= TARGET_GAP:
            return tol, gap
    return None, None


def bench_size(n: int, repeat: int) -> dict[str, Any]:
    X, y = _data(n)
    obj = Objective("logistic", X, y, l2=1.0 / n)
    fitters = _fitters(n)
    best = min(
        obj.value(fitters["sklearn newton-cholesky"](X, y, 1e-12)),
        obj.value(fitters["fitscope newton"](X, y, 1e-12)),
    )
    rows: dict[str, Any] = {}
    for name, fit in fitters.items():
        tol, gap = _tolerance(fit, X, y, obj, best)
        rows[name] = {"tol": tol, "gap": gap, "times": []}
    # Rounds, each timing every solver once: the machine's load drifts, and interleaving
    # spreads that drift over all of them instead of charging it to whichever ran then.
    timed = {k: r for k, r in rows.items() if r["tol"] is not None}
    for _ in range(repeat):
        for name, r in timed.items():
            t0 = time.perf_counter()
            fitters[name](X, y, r["tol"])
            r["times"].append(time.perf_counter() - t0)
    for name, r in timed.items():
        fit, tol = fitters[name], r["tol"]
        r["seconds"] = statistics.median(r["times"])
        r["peak_bytes"] = peak_memory(lambda fit=fit, tol=tol: fit(X, y, tol))
        r["peak_over_X"] = r["peak_bytes"] / X.nbytes
        print(f"  {name}: {r}", flush=True)
    # "best" (the fastest round) is reported beside the median: on a shared machine it is the
    # closest to the unloaded cost, and each is compared with the same statistic of sklearn's.
    sk = [r for k, r in timed.items() if k.startswith("sklearn")]
    fastest_sk = min(r["seconds"] for r in sk)
    best_sk = min(min(r["times"]) for r in sk)
    for r in timed.values():
        r["vs_fastest_sklearn"] = r["seconds"] / fastest_sk
        r["best_vs_fastest_sklearn"] = min(r["times"]) / best_sk
    return {"n": n, "n_features": X.shape[1], "X_nbytes": X.nbytes, "f_star": best, "solvers": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e5")
    ap.add_argument("--large", action="store_true", help="also n = 1e6")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "train.json"))
    args = ap.parse_args(argv)
    sizes = parse_sizes(args.sizes) + ([10**6] if args.large else [])
    info = machine_info()
    print_machine(info)
    results = []
    for n in sizes:
        print(f"n = {fmt_size(n)} x 50", flush=True)
        results.append(bench_size(n, args.repeat))
    rows = []
    for res in results:
        for name, r in res["solvers"].items():
            ok = r["tol"] is not None
            rows.append(
                [
                    f"{fmt_size(res['n'])} {name}",
                    "-" if not ok else f"{r['tol']:g}",
                    "-" if not ok else f"{r['gap']:.1e}",
                    fmt_seconds(r.get("seconds")),
                    "-" if not ok else fmt_seconds(min(r["times"])),
                    "-" if not ok else f"{r['vs_fastest_sklearn']:.2f}x",
                    "-" if not ok else f"{r['best_vs_fastest_sklearn']:.2f}x",
                    "-" if not ok else f"{r['peak_over_X']:.2f}x",
                ]
            )
    print()
    print(
        table(
            [
                "n / solver",
                "tol",
                "gap to f*",
                "median",
                "best",
                "median vs fastest sklearn",
                "best vs fastest",
                "peak / X",
            ],
            rows,
            title=f"Time to reach the optimum (objective within {TARGET_GAP:g}), C = 1",
        )
    )
    write_json(Path(args.out), {"machine": info, "target_gap": TARGET_GAP, "results": results})
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
