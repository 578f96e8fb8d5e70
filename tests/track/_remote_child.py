"""A training process logging to a fitscope server, run as
``python _remote_child.py MODE URL SIDE [N]`` with FITSCOPE_TOKEN and FITSCOPE_SPOOL set.

Modes: ``steps`` logs N steps of loss and accuracy on train and val (a short sleep every 50
steps, so the run spans the server's restart) and finishes; ``loop`` logs until killed, writing
"step time" to SIDE after each log call returns; ``offline`` logs N steps with
mode="offline" and finishes.
"""

from __future__ import annotations

import sys
import time


def main(mode: str, url: str, side: str, n: int) -> None:
    import fitscope

    run = fitscope.init(
        project="remote",
        store=url,
        config={"mode": mode},
        mode="offline" if mode == "offline" else None,
    )
    with open(side, "w", buffering=1) as out:
        out.write(f"{run.id}\n")
        if mode == "loop":
            step = 0
            while True:
                run.log({"loss": 1.0 / (step + 1), "accuracy": step * 1e-6}, step=step)
                out.write(f"{step} {time.time()!r}\n")
                step += 1
                time.sleep(0.0005)
        for step in range(n):
            run.log({"loss": 1.0 / (step + 1), "accuracy": step / n}, step=step)
            run.log({"loss": 2.0 / (step + 1)}, step=step, split="val")
            if step % 50 == 0:
                time.sleep(0.01)
        run.finish()
        out.write("done\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
