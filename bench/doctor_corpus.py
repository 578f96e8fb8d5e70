"""A corpus of real trainings, each built to show one condition, and the doctor's precision and
recall per finding over it (the table in the README and docs/doctor.md).

    .venv/bin/python bench/doctor_corpus.py [--quick] [--seeds 2] [--verbose]

Every run is a real training on a bundled scikit-learn data set (digits, breast cancer, wine)
with one of: fitscope's trainers, a PyTorch MLP, a Keras MLP (torch backend), scikit-learn's
MLPClassifier and SGDClassifier (per-epoch ``partial_fit``), XGBoost and LightGBM (their
``evals_result``). Each is built to show one condition, the ground truth:

==============  ================================================  ==========================
condition       how it is made                                    the finding that says it
==============  ================================================  ==========================
healthy         enough data, a sensible learning rate             none
overfitting     40-100 training samples, or deep trees/many       overfitting
                rounds, no regularisation
lr_too_high     a learning rate 10-100x too large                 learning_rate_too_high,
                                                                  unstable or divergence
lr_too_low      a learning rate 100-1000x too small               learning_rate_too_low
label_noise     15% of the labels flipped; out-of-fold            confident_mistakes
                probabilities
imbalance       one class against the rest, uninformative         class_imbalance
                features
shift           validation inputs scaled differently from the     gap_from_start
                training inputs
dropout         dropout 0.5 (active in training only)             val_better_than_train
miscalibration  a logistic regression regularised 10x harder      miscalibration
                (C=0.01): underconfident out-of-fold probabilities
==============  ================================================  ==========================

Findings a condition makes legitimately (``loss_accuracy_disagreement`` next to overfitting,
``not_converged`` next to a low learning rate...) are listed per condition in ``ALLOWED`` and
count neither way; any other finding on a run counts as a false positive of its code. The
table: per finding, the runs whose condition it names (positives), how many it found
(recall), and of all the runs where it was raised, how many were right (precision).
``--quick`` keeps fitscope, PyTorch and scikit-learn (no Keras, XGBoost, LightGBM) and one seed.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.model_selection import cross_val_predict
from sklearn.preprocessing import StandardScaler

import fitscope
from fitscope.metrics import accuracy, log_loss

os.environ.setdefault("KERAS_BACKEND", "torch")

EXPECTED = {
    "healthy": set(),
    "overfitting": {"overfitting"},
    "lr_too_high": {"learning_rate_too_high", "unstable", "divergence"},
    "lr_too_low": {"learning_rate_too_low"},
    "label_noise": {"confident_mistakes"},
    "imbalance": {"class_imbalance"},
    "shift": {"gap_from_start"},
    "dropout": {"val_better_than_train"},
    "miscalibration": {"miscalibration"},
}
ALLOWED = {
    "overfitting": {"loss_accuracy_disagreement", "persistent_mistakes", "miscalibration"},
    "lr_too_high": {"not_converged", "overfitting", "loss_accuracy_disagreement"},
    "lr_too_low": {"not_converged", "underfitting"},
    "label_noise": {"persistent_mistakes", "miscalibration"},
    "imbalance": {"underfitting"},
    "shift": {"overfitting", "loss_accuracy_disagreement", "not_converged", "miscalibration"},
    "dropout": {"not_converged"},
}


@dataclass
class Run:
    framework: str
    condition: str
    codes: list[str]


def data(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    loader = {"digits": load_digits, "cancer": load_breast_cancer, "wine": load_wine}[name]
    x, y = loader(return_X_y=True)
    order = np.random.default_rng(seed).permutation(y.size)
    x = StandardScaler().fit_transform(x)
    cut = int(0.6 * y.size)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def epoch_history(
    fit_epoch: Callable[[], None],
    proba: Callable[[np.ndarray], np.ndarray],
    sets: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    epochs: int,
) -> dict[str, list[float]]:
    """Train one epoch at a time and measure train/val loss and accuracy with fitscope."""
    xt, yt, xv, yv = sets
    h: dict[str, list[float]] = defaultdict(list)
    k = int(max(yt.max(), yv.max())) + 1
    for _ in range(epochs):
        fit_epoch()
        for split, x, y in (("", xt, yt), ("val_", xv, yv)):
            p = np.clip(proba(x), 1e-15, 1.0)
            if p.shape[1] < k:  # a class never seen in training
                p = np.column_stack([p, np.full((p.shape[0], k - p.shape[1]), 1e-15)])
            p = p / p.sum(axis=1, keepdims=True)
            h[f"{split}loss"].append(float(log_loss(y, p)))
            h[f"{split}accuracy"].append(float(accuracy(y, p.argmax(axis=1))))
    return dict(h)


def diagnose(h: dict[str, list[float]], n_val: int) -> list[str]:
    if not all(np.isfinite(v).all() for v in h.values()) and "loss" not in h:
        return []
    return [f.code for f in fitscope.diagnose(h, n={"val": n_val})]


# ----------------------------------------------------------------------------- fitscope
def fitscope_runs(seed: int) -> list[Run]:
    out = []
    xt, yt, xv, yv = data("digits", seed)
    cases = {
        "healthy": (slice(None), {"solver": "lbfgs", "l2": 1e-2}, 100),
        "overfitting": (slice(0, 40), {"solver": "adam", "learning_rate": 0.05, "l2": 1e-8}, 200),
        "lr_too_low": (slice(None), {"solver": "gd", "learning_rate": 1e-4, "l2": 1e-3}, 60),
        "lr_too_high": (slice(None), {"solver": "gd", "learning_rate": 2000.0, "l2": 1e-4}, 60),
    }
    for condition, (part, kw, epochs) in cases.items():
        model = fitscope.SoftmaxRegression(epochs=epochs, **kw)
        with np.errstate(all="ignore"):
            model.fit(xt[part], yt[part], validation_data=(xv, yv))
        out.append(Run("fitscope", condition, diagnose(model.history_, yv.size)))
    return out


# ----------------------------------------------------------------------------- PyTorch
def torch_runs(seed: int) -> list[Run]:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    out = []
    xt, yt, xv, yv = data("digits", seed)

    def train(
        x: np.ndarray, y: np.ndarray, vx: np.ndarray, vy: np.ndarray, lr: float, drop: float
    ) -> dict[str, list[float]]:
        net = torch.nn.Sequential(
            torch.nn.Linear(x.shape[1], 64),
            torch.nn.ReLU(),
            torch.nn.Dropout(drop),
            torch.nn.Linear(64, 10),
        )
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
        tx, ty = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
        h: dict[str, list[float]] = defaultdict(list)
        for _ in range(40):
            net.train()
            perm = torch.randperm(len(ty))
            losses = []
            for i in range(0, len(ty), 32):  # Keras-style: the mean over the epoch's batches
                b = perm[i : i + 32]
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(tx[b]), ty[b])
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
            net.eval()
            with torch.no_grad():
                p = torch.softmax(net(torch.tensor(vx, dtype=torch.float32)), 1).numpy()
            h["loss"].append(float(np.mean(losses)))
            h["val_loss"].append(float(log_loss(vy, np.clip(p, 1e-15, 1))))
        return dict(h)

    out.append(Run("pytorch", "healthy", diagnose(train(xt, yt, xv, yv, 0.01, 0.0), yv.size)))
    out.append(Run("pytorch", "dropout", diagnose(train(xt, yt, xv, yv, 0.01, 0.5), yv.size)))
    shifted = xv * 3.0 + 1.0  # validation inputs not scaled like the training inputs
    out.append(Run("pytorch", "shift", diagnose(train(xt, yt, shifted, yv, 0.01, 0.0), yv.size)))
    out.append(Run("pytorch", "lr_too_low", diagnose(train(xt, yt, xv, yv, 1e-5, 0.0), yv.size)))
    return out


# ----------------------------------------------------------------------------- scikit-learn
def sklearn_runs(seed: int) -> list[Run]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier
    from sklearn.neural_network import MLPClassifier

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    out = []
    xt, yt, xv, yv = data("digits", seed)
    classes = np.arange(10)

    def mlp(x: np.ndarray, y: np.ndarray, epochs: int, **kw: Any) -> dict[str, list[float]]:
        m = MLPClassifier(random_state=seed, **kw)
        return epoch_history(
            lambda: m.partial_fit(x, y, classes=classes), m.predict_proba, (x, y, xv, yv), epochs
        )

    out.append(Run("sklearn-mlp", "healthy", diagnose(mlp(xt, yt, 100, alpha=1.0), yv.size)))
    small = mlp(xt[:30], yt[:30], 300, hidden_layer_sizes=(256,), alpha=0.0)
    out.append(Run("sklearn-mlp", "overfitting", diagnose(small, yv.size)))

    def sgd(eta: float, epochs: int = 40) -> dict[str, list[float]]:
        m = SGDClassifier(
            loss="log_loss", learning_rate="constant", eta0=eta, alpha=1e-4, random_state=seed
        )
        with np.errstate(all="ignore"):
            return epoch_history(
                lambda: m.partial_fit(xt, yt, classes=classes),
                m.predict_proba,
                (xt, yt, xv, yv),
                epochs,
            )

    out.append(Run("sklearn-sgd", "healthy", diagnose(sgd(0.01, 80), yv.size)))
    out.append(Run("sklearn-sgd", "lr_too_high", diagnose(sgd(5.0), yv.size)))
    out.append(Run("sklearn-sgd", "lr_too_low", diagnose(sgd(1e-6), yv.size)))
    return out


# ----------------------------------------------------------------------------- predictions
def prediction_runs(seed: int) -> list[Run]:
    """Label noise (out-of-fold probabilities), imbalance (a blind model) and miscalibration
    (a model regularised too hard), plus the clean counterparts as healthy runs. The folds do
    not depend on the seed, so the clean and the miscalibrated runs repeat across seeds."""
    out = []
    rng = np.random.default_rng(seed)
    for name in ("digits", "wine", "cancer"):
        loader = {"digits": load_digits, "cancer": load_breast_cancer, "wine": load_wine}[name]
        x, y = loader(return_X_y=True)
        x = StandardScaler().fit_transform(x)
        k = int(y.max()) + 1
        noisy = y.copy()
        flip = rng.choice(y.size, round(0.15 * y.size), replace=False)
        noisy[flip] = (y[flip] + rng.integers(1, k, flip.size)) % k
        model = SkLogistic(max_iter=2000, C=0.1)
        for condition, labels in (("healthy", y), ("label_noise", noisy)):
            p = cross_val_predict(model, x, labels, cv=5, method="predict_proba")
            out.append(Run("predictions", condition, [f.code for f in fitscope.explain(labels, p)]))
        strong = SkLogistic(max_iter=2000, C=0.01)  # shrunk towards the prior: underconfident
        p = cross_val_predict(strong, x, y, cv=5, method="predict_proba")
        out.append(Run("predictions", "miscalibration", [f.code for f in fitscope.explain(y, p)]))
    x, y = load_digits(return_X_y=True)
    target = (y == int(rng.integers(0, 10))).astype(int)
    blind = x[:, [0, 7, 56, 63]]  # corner pixels: almost always blank
    p = cross_val_predict(SkLogistic(max_iter=2000), blind, target, cv=5, method="predict_proba")
    out.append(Run("predictions", "imbalance", [f.code for f in fitscope.explain(target, p)]))
    return out


# ----------------------------------------------------------------------------- Keras
def keras_runs(seed: int) -> list[Run]:
    import keras

    keras.utils.set_random_seed(seed)
    out = []
    xt, yt, xv, yv = data("digits", seed)

    def fit(x: np.ndarray, y: np.ndarray, epochs: int, drop: float) -> dict[str, list[float]]:
        model = keras.Sequential(
            [
                keras.Input((x.shape[1],)),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dropout(drop),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        hist = model.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=32, verbose=0)
        return {k: [float(v) for v in vs] for k, vs in hist.history.items()}

    out.append(Run("keras", "healthy", diagnose(fit(xt, yt, 30, 0.0), yv.size)))
    out.append(Run("keras", "overfitting", diagnose(fit(xt[:80], yt[:80], 150, 0.0), yv.size)))
    out.append(Run("keras", "dropout", diagnose(fit(xt, yt, 30, 0.5), yv.size)))
    return out


# ----------------------------------------------------------------------------- boosting
def boosting_runs(seed: int) -> list[Run]:
    import lightgbm as lgb
    import xgboost as xgb

    out = []
    xt, yt, xv, yv = data("cancer", seed)

    def xgb_run(small: bool, eta: float, depth: int, rounds: int) -> dict[str, list[float]]:
        part = slice(0, 60) if small else slice(None)
        model = xgb.XGBClassifier(
            n_estimators=rounds, learning_rate=eta, max_depth=depth, n_jobs=1,
            eval_metric="logloss", random_state=seed, reg_lambda=0.0 if small else 1.0,
            min_child_weight=0 if small else 1,
        )  # fmt: skip
        model.fit(xt[part], yt[part], eval_set=[(xt[part], yt[part]), (xv, yv)], verbose=False)
        r = model.evals_result()
        return {"loss": r["validation_0"]["logloss"], "val_loss": r["validation_1"]["logloss"]}

    out.append(Run("xgboost", "healthy", diagnose(xgb_run(False, 0.05, 3, 150), yv.size)))
    out.append(Run("xgboost", "overfitting", diagnose(xgb_run(True, 0.3, 6, 300), yv.size)))
    out.append(Run("xgboost", "lr_too_low", diagnose(xgb_run(False, 0.001, 3, 150), yv.size)))

    def lgb_run(small: bool, eta: float, rounds: int) -> dict[str, list[float]]:
        part = slice(0, 100) if small else slice(None)
        model = lgb.LGBMClassifier(
            n_estimators=rounds, learning_rate=eta, num_leaves=31, min_child_samples=2 if small
            else 20, n_jobs=1, verbose=-1, random_state=seed,
        )  # fmt: skip
        model.fit(xt[part], yt[part], eval_set=[(xt[part], yt[part]), (xv, yv)])
        r = model.evals_result_  # {eval set name: {metric: per-round values}}, in eval_set order
        train, val = (next(iter(r[name].values())) for name in r)
        return {"loss": list(train), "val_loss": list(val)}

    out.append(Run("lightgbm", "healthy", diagnose(lgb_run(False, 0.05, 150), yv.size)))
    out.append(Run("lightgbm", "overfitting", diagnose(lgb_run(True, 0.3, 300), yv.size)))
    out.append(Run("lightgbm", "lr_too_low", diagnose(lgb_run(False, 0.0005, 150), yv.size)))
    return out


def recall_rows(runs: list[Run]) -> list[tuple[str, str, int, int]]:
    """Per condition: runs, and runs where one of the findings that name it was raised."""
    rows = []
    for condition, codes in EXPECTED.items():
        mine = [r for r in runs if r.condition == condition]
        if codes and mine:
            found = sum(bool(codes & set(r.codes)) for r in mine)
            rows.append((condition, ", ".join(sorted(codes)), len(mine), found))
    return rows


def precision_rows(runs: list[Run]) -> list[tuple[str, int, int]]:
    """Per finding: runs where it was raised (allowed extras excluded) and how many were right."""
    codes = sorted({c for r in runs for c in r.codes})
    rows = []
    for code in codes:
        raised = [r for r in runs if code in r.codes and code not in ALLOWED.get(r.condition, ())]
        right = sum(code in EXPECTED[r.condition] for r in raised)
        rows.append((code, len(raised), right))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--verbose", action="store_true", help="print every run's findings")
    args = ap.parse_args()
    makers: list[Callable[[int], list[Run]]] = [
        fitscope_runs,
        torch_runs,
        sklearn_runs,
        prediction_runs,
    ]
    if not args.quick:
        makers += [keras_runs, boosting_runs]
    runs: list[Run] = []
    t0 = time.perf_counter()
    for seed in range(1 if args.quick else args.seeds):
        for make in makers:
            for r in make(seed):
                runs.append(r)
                if args.verbose:
                    print(f"  {r.framework:12} {r.condition:12} {r.codes}", flush=True)
    frameworks = sorted({r.framework for r in runs})
    print(f"{len(runs)} runs ({', '.join(frameworks)}) in {time.perf_counter() - t0:.0f} s")
    print("\n| condition | found by | runs | found (recall) |\n|---|---|---|---|")
    for condition, codes, n, found in recall_rows(runs):
        print(f"| {condition} | `{codes}` | {n} | {found}/{n} ({found / n:.0%}) |")
    healthy = [r for r in runs if r.condition == "healthy"]
    quiet = sum(not r.codes for r in healthy)
    print(f"| healthy | nothing | {len(healthy)} | {quiet}/{len(healthy)} quiet |")
    print("\n| finding | raised | right (precision) |\n|---|---|---|")
    for code, raised, right in precision_rows(runs):
        prec = f"{right}/{raised} ({right / raised:.0%})" if raised else "-"
        print(f"| `{code}` | {raised} | {prec} |")
    missed = [r for r in runs if EXPECTED[r.condition] and not EXPECTED[r.condition] & set(r.codes)]
    print("missed:", [(r.framework, r.condition, r.codes) for r in missed])
    wrong = [
        (r.framework, r.condition, c)
        for r in runs
        for c in r.codes
        if c not in EXPECTED[r.condition] | ALLOWED.get(r.condition, set())
    ]
    print("false alarms:", wrong)


if __name__ == "__main__":
    main()
