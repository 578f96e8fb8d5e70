"""A training process for the durability tests, run as ``python _child.py MODE URL SIDE``.

Modes: ``loop`` logs until killed, writing "step time" to SIDE after each log call returns;
``exit`` logs 500 steps and returns without finish(); ``raise`` logs 500 steps and dies of an
uncaught exception; ``concurrent`` logs 2,000 steps with a flush every 25 calls (many small
transactions, to collide with other processes) and finishes.
"""

from __future__ import annotations

import sys
import time


def main(mode: str, url: str, side: str) -> None:
    import fitscope
    from fitscope.track.run import Run

    store = fitscope.Store(url)
    if mode == "concurrent":
        run = Run(store, project="conc", name=None, config=None, tags=None, flush_interval=0.01)
    else:
        run = fitscope.init(project=mode, store=store)
    with open(side, "w", buffering=1) as out:
        out.write(f"{run.id}\n")
        if mode == "loop":
            step = 0
            while True:
                run.log({"loss": 1.0 / (step + 1), "accuracy": step * 1e-6}, step=step)
                out.write(f"{step} {time.time()!r}\n")
                step += 1
                time.sleep(0.0005)
        n = 2000 if mode == "concurrent" else 500
        for step in range(n):
            run.log({"loss": float(step), "accuracy": 0.5})
            if mode == "concurrent" and step % 25 == 0:
                run.flush()
        if mode == "raise":
            raise RuntimeError("training blew up")
        if mode == "concurrent":
            run.finish()


if __name__ == "__main__":
    main(*sys.argv[1:4])
