"""Shared helpers for the benchmark scripts in bench/ (not a test module).

Timing: every case gets a warm-up call, then the cases are run in turn ``repeat`` times
(interleaved, so a slow spell on the machine hits every case alike) and the median is reported.
A case returns a :class:`Run`: its results and, for peers that are a sum of several calls, the
seconds of each call (the case's time is then the sum of those parts).
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """What one call of a case produced: metric values and, optionally, per-call seconds."""

    values: dict[str, Any]
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class Timing:
    name: str
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)  # process CPU seconds, all threads
    parts: dict[str, list[float]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_times)

    def part_medians(self) -> dict[str, float]:
        return {k: statistics.median(v) for k, v in self.parts.items()}

    def as_json(self, n: int) -> dict[str, Any]:
        return {
            "median_s": self.median,
            "min_s": self.best,
            "max_s": max(self.times),
            "times_s": self.times,
            "cpu_median_s": self.cpu_median,
            "cpu_times_s": self.cpu_times,
            "samples_per_s": n / self.median,
            "parts_median_s": self.part_medians(),
        }


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()`` and the seconds it took."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _call(case: Callable[[], Run]) -> tuple[Run, float, float]:
    gc.collect()
    cpu = time.process_time()
    run, seconds = timed(case)
    cpu = time.process_time() - cpu
    if run.parts:
        seconds = sum(run.parts.values())
    return run, seconds, cpu


def measure(
    cases: Mapping[str, Callable[[], Run]],
    repeat: int,
    warmed: Mapping[str, Run] | None = None,
) -> dict[str, Timing]:
    """Warm-up call of every case (``warmed`` holds cases already called once, whose call
    counts as their warm-up), then ``repeat`` interleaved rounds; returns the timings."""
    warmed = warmed or {}
    out = {name: Timing(name) for name in cases}
    for name, case in cases.items():
        run = warmed[name] if name in warmed else _call(case)[0]
        out[name].values = run.values
    for _ in range(repeat):
        for name, case in cases.items():
            run, seconds, cpu = _call(case)
            t = out[name]
            t.times.append(seconds)
            t.cpu_times.append(cpu)
            for part, s in run.parts.items():
                t.parts.setdefault(part, []).append(s)
    return out


@dataclass(frozen=True)
class CpuSnapshot:
    wall: float
    machine_busy: float  # CPU seconds all processes have used since boot (/proc/stat)
    own: float  # CPU seconds this process has used (all its threads)


def cpu_snapshot() -> CpuSnapshot | None:
    """Where the machine's and this process's CPU counters stand (Linux only, else None)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not first or first[0] != "cpu":
        return None
    v = [int(x) for x in first[1:]]
    busy = sum(v[:8]) - v[3] - v[4]  # user nice system idle iowait irq softirq steal
    t = os.times()
    return CpuSnapshot(time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), t.user + t.system)


def other_load(a: CpuSnapshot | None, b: CpuSnapshot | None) -> float | None:
    """Average number of cores busy with other processes between two snapshots."""
    if a is None or b is None or b.wall <= a.wall:
        return None
    other = (b.machine_busy - a.machine_busy) - (b.own - a.own)
    return max(0.0, other / (b.wall - a.wall))


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes traced by tracemalloc during ``fn()`` above what was traced before it.

    numpy reports its data buffers to tracemalloc, so this counts the arrays a call creates.
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


def version(module: str) -> str | None:
    try:
        return str(importlib.import_module(module).__version__)
    except ImportError:
        return None


def _git(*args: str) -> str | None:
    try:
        res = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip()


def source_digest() -> str:
    """sha256 of src/fitscope/**/*.py: tells which state of the (possibly uncommitted) code ran."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "src" / "fitscope").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def machine_info() -> dict[str, Any]:
    uname = platform.uname()
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or uname.machine,
        "uname": f"{uname.system} {uname.release} {uname.machine}",
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "versions": {
            m: version(m)
            for m in ("numpy", "sklearn", "scipy", "torch", "torchmetrics", "fitscope")
        },
        "git_head": _git("rev-parse", "--short", "HEAD"),
        "git_dirty_files": len((_git("status", "--porcelain") or "").splitlines()),
        "fitscope_src_digest": source_digest(),
        "time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "load_average": load_average(),
    }
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: d.get(k) for k in ("internal_api", "num_threads", "prefix")}
            for d in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = None
    return info


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def print_machine(info: Mapping[str, Any]) -> None:
    v = info["versions"]
    print(f"machine : {info['uname']} | {info['cpu_model'] or info['processor']}")
    print(f"cpus    : os.cpu_count()={info['cpu_count']}, usable={info['cpus_usable']}")
    print(
        "versions: python {p}, numpy {numpy}, scikit-learn {sklearn}, scipy {scipy}, "
        "torch {torch}, torchmetrics {torchmetrics}, fitscope {fitscope}".format(
            p=info["python"], **{k: (val or "missing") for k, val in v.items()}
        )
    )
    pools = info.get("threadpools")
    if pools:
        seen = dict.fromkeys(f"{d['internal_api']} {d['num_threads']}" for d in pools)
        print("threads : " + ", ".join(seen) + " (threadpoolctl: thread pools loaded, threads)")
    print(
        f"code    : git {info['git_head']} (+{info['git_dirty_files']} changed files), "
        f"src digest {info['fitscope_src_digest']}, {info['time']}"
    )
    print(f"load    : {info['load_average']} (1/5/15-min load average at start)")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    """A plain-text table (first column left-aligned, the rest right-aligned)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()

    out = [] if title is None else [title]
    out.append(line(cells[0]))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in cells[1:])
    return "\n".join(out)


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def fmt_rate(n: int, s: float | None) -> str:
    if not s:
        return "-"
    r = n / s
    if r >= 1e6:
        return f"{r / 1e6:.1f}M/s"
    return f"{r / 1e3:.1f}k/s"


def fmt_size(n: int) -> str:
    exp = len(str(n)) - 1 if n > 0 else 0
    return f"1e{exp}" if 10**exp == n else f"{n:,}"


def parse_sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")
