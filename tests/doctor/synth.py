"""Synthetic training curves with known truth and seeded noise."""

from __future__ import annotations

import numpy as np


def decay(n: int, start: float, end: float, tau: float) -> np.ndarray:
    e = np.arange(1, n + 1)
    return end + (start - end) * np.exp(-(e - 1) / tau)


def noisy(x: np.ndarray, rng: np.random.Generator, rel: float) -> list[float]:
    return list(x * (1.0 + rel * rng.standard_normal(x.size)))


def healthy(n: int, seed: int, noise: float = 0.02) -> dict[str, list[float]]:
    """Train and validation loss fall and settle (converged well before the end); accuracy
    rises and settles."""
    rng = np.random.default_rng(seed)
    tau = n / 12
    train = decay(n, 0.69, 0.25, tau)
    val = decay(n, 0.70, 0.30, tau)
    acc = 1.0 - decay(n, 0.5, 0.12, tau)
    return {
        "loss": noisy(train, rng, noise),
        "val_loss": noisy(val, rng, noise * 1.5),
        "accuracy": list(np.clip(noisy(acc, rng, noise / 4), 0, 1)),
        "val_accuracy": list(np.clip(noisy(acc - 0.02, rng, noise / 3), 0, 1)),
    }


def overfit_val(n: int, onset: int, slope: float = 0.01) -> np.ndarray:
    """The noise-free validation loss of :func:`overfit`."""
    e = np.arange(1, n + 1)
    return decay(n, 0.70, 0.35, onset / 4) + slope * np.maximum(0, e - onset)


def overfit(n: int, onset: int, seed: int, noise: float = 0.02, slope: float = 0.01):
    """Validation loss bottoms out at ``onset`` (1-based) then rises linearly; training loss
    keeps falling; validation accuracy rises a little and holds."""
    rng = np.random.default_rng(seed)
    e = np.arange(1, n + 1)
    tau = onset / 4
    train = decay(n, 0.69, 0.02, n / 3)
    val = overfit_val(n, onset, slope)
    acc = 0.9 - 0.4 * np.exp(-(e - 1) / tau)
    return {
        "loss": noisy(train, rng, noise),
        "val_loss": noisy(val, rng, noise),
        "accuracy": list(np.clip(acc + 0.05 * (e / n), 0, 1)),
        "val_accuracy": list(np.clip(noisy(acc, rng, noise / 4), 0, 1)),
    }


def still_falling(n: int, seed: int, noise: float = 0.01) -> dict[str, list[float]]:
    """Both losses fall steadily to the last epoch (time constant 1.5x the run)."""
    rng = np.random.default_rng(seed)
    return {
        "loss": noisy(decay(n, 0.69, 0.1, 1.5 * n), rng, noise),
        "val_loss": noisy(decay(n, 0.70, 0.15, 1.5 * n), rng, noise),
    }


def flat(n: int, seed: int, noise: float = 0.01) -> dict[str, list[float]]:
    """A model that learns nothing: binary log loss near ln 2, accuracy near the 60% majority."""
    rng = np.random.default_rng(seed)
    level = np.full(n, 0.673)
    return {
        "loss": noisy(decay(n, 0.69, 0.672, 2.0), rng, noise),
        "val_loss": noisy(level + 0.002, rng, noise),
        "accuracy": list(0.6 + 0.01 * rng.standard_normal(n)),
        "val_accuracy": list(0.6 + 0.01 * rng.standard_normal(n)),
    }


def oscillating(n: int, seed: int, amplitude: float = 0.35) -> dict[str, list[float]]:
    """A learning rate too large: the loss falls, then bounces by +-amplitude of its level."""
    rng = np.random.default_rng(seed)
    base = decay(n, 0.69, 0.3, n / 10)
    swing = 1.0 + amplitude * np.sign(np.sin(np.arange(n) * 2.1)) * rng.uniform(0.5, 1.0, n)
    return {"loss": list(base * swing), "val_loss": list(base * swing * 1.05)}


def exploding(n: int, at: int, seed: int) -> dict[str, list[float]]:
    """Falls, then grows tenfold from epoch ``at`` on (1-based)."""
    rng = np.random.default_rng(seed)
    x = decay(n, 0.69, 0.3, n / 8)
    e = np.arange(1, n + 1)
    x = np.where(e >= at, x * 12.0 ** (e - at + 1), x)
    return {"loss": noisy(x, rng, 0.01)}
