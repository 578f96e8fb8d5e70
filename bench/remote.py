"""Benchmark: logging to a fitscope server (``fitscope ui --token``) against logging locally.

    .venv/bin/python bench/remote.py [--calls N] [--clients K] [--steps S] [--repeat R]
                                     [--postgres URL] [--quick]
                                     [--out bench/results/remote.json]

The server runs in its own process (uvicorn over a fresh SQLite file, or ``--postgres``), on
127.0.0.1. Measured in one run:

* one client, in this process: ``run.log({"loss", "accuracy"})`` ``--calls`` times, then
  ``finish()``, which returns once the server has confirmed every batch. Reported: seconds a
  log() call on the training thread, and points/s end to end (points / (log + finish)), beside
  the same loop into a local SQLite store (the peer: what the network and the spool cost).
* ``--clients`` client processes at once, ``--steps`` steps each (3 series): every point of
  every run is read back from the server's store: none lost, none twice.
* the same, with the server killed (SIGKILL) one second in and restarted two seconds later;
  ``fitscope sync`` uploads what finished clients left in their spools; then the same check.

Targets (PASS/FAIL): >= 200,000 points/s for one client; 0 points lost or duplicated with
8 clients, and with the server killed and restarted.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import fitscope
import fitscope.track.remote
from _common import ROOT, fmt_seconds, machine_info, print_machine, table, write_json

TOKEN = "bench-token"
SRC = str(Path(fitscope.__file__).resolve().parents[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, store_url: str) -> None:
        self.store_url, self.port = store_url, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        code = "import sys; from fitscope.cli import main; sys.argv[0] = 'fitscope'; main()"
        args = ["ui", "--store", self.store_url, "--port", str(self.port), "--token", TOKEN]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=dict(os.environ, PYTHONPATH=SRC),
            stderr=subprocess.DEVNULL,
        )
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return
            except OSError:
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def one_client(store: Any, calls: int) -> dict[str, float]:
    run = fitscope.init(project="bench", store=store)
    t0 = time.perf_counter()
    for i in range(calls):
        run.log({"loss": 1.0 / (i + 1), "accuracy": i / calls}, step=i)
    t1 = time.perf_counter()
    run.finish()
    t2 = time.perf_counter()
    return {"log": t1 - t0, "finish": t2 - t1}


def child(url: str, side: str, steps: int) -> None:
    """One client process: ``steps`` steps of train loss/accuracy and val loss."""
    run = fitscope.init(project="bench-clients", store=url, token=TOKEN)
    with open(side, "w") as out:
        out.write(run.id)
    for step in range(steps):
        run.log({"loss": 1.0 / (step + 1), "accuracy": step / steps}, step=step)
        run.log({"loss": 2.0 / (step + 1)}, step=step, split="val")
        if step % 100 == 0:
            time.sleep(0.005)  # a training step's worth of work, so runs overlap the restart
    run.finish()


def many_clients(
    server: Server, clients: int, steps: int, tmp: Path, *, restart: bool
) -> dict[str, Any]:
    spool = tmp / f"spool-{restart}"
    env = dict(os.environ, PYTHONPATH=SRC, FITSCOPE_SPOOL=str(spool))
    sides = [tmp / f"side-{restart}-{i}" for i in range(clients)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", server.url, str(side), str(steps)], env=env
        )
        for side in sides
    ]
    if restart:
        time.sleep(1.0)
        server.kill()
        time.sleep(2.0)
        server.start()
    codes = [p.wait() for p in procs]
    left = fitscope.track.remote.sync(server.url, token=TOKEN, spool=spool)
    seconds = time.perf_counter() - t0
    store = fitscope.Store(server.store_url)
    lost = dup = 0
    for side in sides:
        rec = store.get_run(side.read_text())
        for split, metric in (("train", "loss"), ("train", "accuracy"), ("val", "loss")):
            got = rec.history(metric, split).steps.tolist()
            lost += steps - len(set(got))
            dup += len(got) - len(set(got))
    store.close()
    return {
        "exit_codes": codes,
        "points": clients * steps * 3,
        "lost": lost,
        "duplicated": dup,
        "seconds": seconds,
        "synced_after": left["batches"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000, help="log calls, one client")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--steps", type=int, default=5_000, help="steps per client")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("FITSCOPE_BENCH_POSTGRES_URL"))
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 round")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "remote.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if args.quick:
        args.calls, args.steps, args.repeat = 50_000, 1_000, 1

    info = machine_info()
    print_machine(info)
    tmp = Path(tempfile.mkdtemp(prefix="fitscope-bench-remote-"))
    os.environ["FITSCOPE_SPOOL"] = str(tmp / "spool")
    store_url = args.postgres or str(tmp / "server.db")
    print(f"server  : fitscope ui over {'PostgreSQL' if args.postgres else 'SQLite'}, 127.0.0.1")
    print(f"sizes   : {args.calls:,} log calls (2 metrics) x {args.repeat} rounds; "
          f"{args.clients} clients x {args.steps:,} steps x 3 series\n")  # fmt: skip
    server = Server(store_url)
    server.start()
    try:
        remote = fitscope.track.remote.RemoteStore(server.url, token=TOKEN)
        local = fitscope.Store(tmp / "local.db")
        one_client(remote, 1000)  # warm-up
        one_client(local, 1000)
        rem, loc = [], []
        for _ in range(args.repeat):
            rem.append(one_client(remote, args.calls))
            loc.append(one_client(local, args.calls))
        points = 2 * args.calls
        rem_rate = points / statistics.median(r["log"] + r["finish"] for r in rem)
        loc_rate = points / statistics.median(r["log"] + r["finish"] for r in loc)
        rem_call = statistics.median(r["log"] for r in rem) / args.calls
        loc_call = statistics.median(r["log"] for r in loc) / args.calls
        many = many_clients(server, args.clients, args.steps, tmp, restart=False)
        killed = many_clients(server, args.clients, args.steps, tmp, restart=True)
    finally:
        server.kill()

    def ok(good: bool) -> str:
        return "PASS" if good else "FAIL"

    rows = [
        ["run.log, training thread, remote", fmt_seconds(rem_call), fmt_seconds(loc_call),
         f"{rem_call / loc_call:.2f}x", "-", "-"],
        ["one client, points/s end to end", f"{rem_rate:,.0f}", f"{loc_rate:,.0f}",
         f"{rem_rate / loc_rate:.2f}x", ">= 200,000", ok(rem_rate >= 200_000)],
        [f"{args.clients} clients: lost / duplicated", f"{many['lost']} / {many['duplicated']}",
         "-", "-", "0 / 0", ok(many["lost"] == many["duplicated"] == 0)],
        [f"{args.clients} clients, seconds (with process start)", f"{many['seconds']:.1f} s",
         "-", "-", "-", "-"],
        ["server killed + restarted: lost / dup", f"{killed['lost']} / {killed['duplicated']}",
         "-", "-", "0 / 0", ok(killed["lost"] == killed["duplicated"] == 0)],
    ]  # fmt: skip
    print(table(["case", "remote", "local store", "ratio", "target", "result"], rows))
    print(
        f"\n(after the restart, fitscope sync uploaded {killed['synced_after']} batch(es) that "
        "clients finishing while the server was down had left in their spools)"
    )
    write_json(
        args.out,
        {
            "machine": info,
            "one_client": {"remote": rem, "local": loc, "calls": args.calls},
            "many": many,
            "killed": killed,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
