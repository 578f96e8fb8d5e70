"""MLflow's side of bench/store_scale.py, run by MLflow's own interpreter (not this venv).

    /tmp/mlflow-venv/bin/python bench/_mlflow_peer.py N POINTS REPEAT FOLDER

mlflow cannot be installed beside fitscope's pins, so store_scale.py runs this file in a
separate virtualenv (``--mlflow-python``) and reads one JSON line from its stdout. It seeds an
MLflow SQLite store shaped like fitscope's bench store: N runs over 10 experiments (p0..p9),
params lr / batch / optimizer.name, a tag, 2 splits x 2 metrics (``val/loss`` ...) with POINTS
points each in ``metrics`` and their last value in ``latest_metrics``. The store is created
(and migrated) by MLflow's own SqlAlchemyStore; the rows are inserted in bulk through its
SQLAlchemy models' tables (MLflow's run-by-run API takes minutes for 10,000 runs). Timed, the
median of REPEAT calls of ``MlflowClient.search_runs`` in process:

* first page: 50 runs of every experiment, newest first (MLflow's default order);
* filtered + sorted: experiment p3, ``metrics.`val/accuracy` > 0.5``, name LIKE '%1%',
  ordered by ``metrics.`val/loss```; MLflow keeps the latest value only, so it filters and
  sorts on that where fitscope uses the best;
* sorted by a param: ``params.lr DESC`` (params are strings in MLflow: text order).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path


def seed(uri: str, folder: Path, n: int, points: int) -> list[str]:
    from mlflow.store.tracking.dbmodels import models as m
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    store = SqlAlchemyStore(uri, str(folder / "artifacts"))
    experiments = [store.create_experiment(f"p{k}") for k in range(10)]
    rng = random.Random(n)
    t0 = 1_700_000_000_000  # ms, as MLflow stores times
    for start in range(0, n, 2000):
        runs, params, tags, metrics, latest = [], [], [], [], []
        for i in range(start, min(n, start + 2000)):
            rid = uuid.UUID(int=i + 1).hex
            lr = 10 ** rng.uniform(-4, -1)
            runs.append(
                {"run_uuid": rid, "name": f"run-{i}", "source_type": "LOCAL", "source_name": "",
                 "entry_point_name": "", "user_id": "bench",
                 "status": "FINISHED" if i % 7 else "FAILED", "start_time": t0 + i * 1000,
                 "end_time": t0 + i * 1000 + 60_000, "source_version": "",
                 "lifecycle_stage": "active", "artifact_uri": "",
                 "experiment_id": int(experiments[i % 10])}
            )  # fmt: skip
            params += [
                {"run_uuid": rid, "key": "lr", "value": repr(lr)},
                {"run_uuid": rid, "key": "batch", "value": "32"},
                {"run_uuid": rid, "key": "optimizer.name", "value": "adam"},
            ]
            tags += [
                {"run_uuid": rid, "key": "mlflow.runName", "value": f"run-{i}"},
                {"run_uuid": rid, "key": "parity", "value": "even" if i % 2 == 0 else "odd"},
            ]
            for split in ("train", "val"):
                loss = sorted((rng.random() for _ in range(points)), reverse=True)
                acc = sorted(rng.random() for _ in range(points))
                for metric, values in (("loss", loss), ("accuracy", acc)):
                    key = f"{split}/{metric}"
                    metrics += [
                        {"run_uuid": rid, "key": key, "value": v, "timestamp": t0 + s,
                         "step": s, "is_nan": False}
                        for s, v in enumerate(values)
                    ]  # fmt: skip
                    latest.append(
                        {"run_uuid": rid, "key": key, "value": values[-1],
                         "timestamp": t0 + points - 1, "step": points - 1, "is_nan": False}
                    )  # fmt: skip
        with store.engine.begin() as conn:
            conn.execute(m.SqlRun.__table__.insert(), runs)
            conn.execute(m.SqlParam.__table__.insert(), params)
            conn.execute(m.SqlTag.__table__.insert(), tags)
            conn.execute(m.SqlMetric.__table__.insert(), metrics)
            conn.execute(m.SqlLatestMetric.__table__.insert(), latest)
    return [str(e) for e in experiments]


def main(argv: list[str]) -> int:
    n, points, repeat, folder = int(argv[0]), int(argv[1]), int(argv[2]), Path(argv[3])
    import mlflow
    from mlflow.tracking import MlflowClient

    folder.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{folder / f'mlflow-{n}.db'}"
    t = time.perf_counter()
    experiments = seed(uri, folder, n, points)
    seeded = time.perf_counter() - t
    client = MlflowClient(tracking_uri=uri)
    p3 = experiments[3]
    cases = {
        "first": lambda: client.search_runs(experiments, max_results=50),
        "filtered": lambda: client.search_runs(
            [p3],
            filter_string="metrics.`val/accuracy` > 0.5 and attributes.run_name LIKE '%1%'",
            order_by=["metrics.`val/loss` ASC"],
            max_results=50,
        ),
        "config_sort": lambda: client.search_runs(
            experiments, order_by=["params.lr DESC"], max_results=50
        ),
    }
    total = len(client.search_runs(experiments, max_results=50))
    assert total == min(n, 50), total
    out: dict[str, object] = {"runs": n, "mlflow": mlflow.__version__, "seeded_s": seeded}
    for name, call in cases.items():
        call()  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            page = call()
            times.append(time.perf_counter() - t)
            assert 0 < len(page) <= 50, (name, len(page))
        out[name] = statistics.median(times)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
