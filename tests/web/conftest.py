"""Real runs in a real SQLite store, shared by the API, fuzzing and browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope

XSS_NAME = "<script>alert(1)</script>"
HOSTILE_METRIC = "<b>f1</b><img src=x onerror=alert(7)>"
HOSTILE_SPLIT = "<a href='javascript:alert(8)'>dev</a>"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NO_BROWSER = "browser tests need Debian's Chromium: apt-get update && apt-get install -y chromium"


def log_curves(run: fitscope.Run, epochs: int, *, seed: int = 0) -> None:
    """A run that learns, then overfits: train loss falls, val loss turns up after epoch 12."""
    rng = np.random.default_rng(seed)
    for e in range(epochs):
        train = 0.7 * np.exp(-e / 6) + 0.05 + 0.01 * rng.standard_normal()
        val = 0.7 * np.exp(-e / 6) + 0.12 + 0.01 * max(0, e - 12) ** 1.5
        run.log({"loss": train, "accuracy": 1 - train / 1.4, "epoch": e}, step=e)
        run.log({"loss": val, "accuracy": 1 - val / 1.4}, step=e, split="val")


def fill_store(path: Path) -> dict[str, str]:
    """Three runs: one with predictions snapshots, one trained by the built-in trainer, and one
    whose every user string is hostile HTML. Returns their ids by role."""
    store = fitscope.Store(path)
    rng = np.random.default_rng(1)
    ids: dict[str, str] = {}
    with fitscope.init(
        project="demo",
        name="overfit",
        config={"lr": 0.1, "layers": [64, 32]},
        tags=["mlp"],
        store=store,
    ) as run:
        log_curves(run, 25)
        run.log({"loss": 0.3, "accuracy": 0.88}, step=24, split="test")
        y = (rng.random(200) < 0.3).astype(np.int64)
        for step in (4, 12, 24):
            noise = rng.normal(0, 1.0 / (1 + step / 6), 200)
            p = 1 / (1 + np.exp(-(3 * (y - 0.5) + noise)))
            run.log_predictions(y, p, split="val", step=step, ids=[f"s{i}" for i in range(200)])
        ids["overfit"] = run.id
    X = rng.normal(size=(300, 4))
    yx = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    with fitscope.init(project="trainers", name="logreg", tags=["builtin"], store=store) as run:
        fitscope.LogisticRegression(solver="gd", epochs=30, learning_rate=0.5).fit(
            X[:200], yx[:200], validation_data=(X[200:], yx[200:]), run=run
        )
        ids["logreg"] = run.id
    with fitscope.init(
        project="<b>proj</b>",
        name=XSS_NAME,
        config={"note": "<img src=x onerror=alert(3)>"},
        tags=["<img src=x onerror=alert(2)>"],
        store=store,
    ) as run:
        log_curves(run, 5, seed=3)
        run.log({HOSTILE_METRIC: 0.5}, step=0, split=HOSTILE_SPLIT)
        run.log({HOSTILE_METRIC: 0.4}, step=1, split=HOSTILE_SPLIT)
        ids["xss"] = run.id
    store.close()
    return ids


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("web") / "runs.db"
    return path, fill_store(path)


def shot(page: Any, name: str) -> None:
    """A full-page screenshot into tests/artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(NO_BROWSER)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors, pg.dialogs, pg.outside = [], [], []
    pg.accept_dialogs = False  # a test that means to confirm (delete) sets this
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        pg.dialogs.append(dialog.message)
        if pg.accept_dialogs:
            dialog.accept()
        else:
            dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on(
        "request",
        lambda r: pg.outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None,
    )
    yield pg
    context.close()
