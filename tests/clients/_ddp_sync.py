"""Two real torch.distributed processes (gloo, CPU) each evaluate half the data and sync;
run as a script: python _ddp_sync.py OUT_DIR PORT."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=101)
    logits = rng.normal(size=(101, 3)) + np.eye(3)[y]
    return y, logits


def worker(rank: int, world: int, out: str, port: str) -> None:
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", port
    dist.init_process_group("gloo", rank=rank, world_size=world)
    from fitscope import Evaluator
    from fitscope.integrations.torch import sync

    y, logits = data()
    shard = slice(rank, None, world)  # uneven shards: 51 and 50 samples
    ev = Evaluator(["accuracy", "log_loss", "balanced_accuracy", "roc_auc"], from_logits=True)
    for start in range(0, len(y[shard]), 16):
        ev.update(torch.tensor(y[shard][start : start + 16]),
                  torch.tensor(logits[shard][start : start + 16]))  # fmt: skip
    merged = sync(ev).compute()
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump({"local_n": ev.n_samples, "merged": merged}, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    mp.spawn(worker, args=(2, sys.argv[1], sys.argv[2]), nprocs=2, join=True)
