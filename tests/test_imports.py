"""`import fitscope` stays light: the store (SQLAlchemy) and the solvers (scipy.optimize) load
only when used, while every public name still resolves from the package face."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fitscope

HEAVY = ("sqlalchemy", "scipy.optimize", "fitscope.track", "fitscope.models", "fitscope.doctor")


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules present after running ``code`` in a fresh interpreter."""
    src = str(Path(fitscope.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_metric_loads_neither_the_store_nor_the_solvers() -> None:
    code = "import fitscope\nassert fitscope.metrics.accuracy([0, 1], [0, 1]) == 1.0"
    assert _loaded_after(code) == []


def test_the_store_loads_when_it_is_used() -> None:
    loaded = _loaded_after("import fitscope\nfitscope.Store")
    assert "sqlalchemy" in loaded and "scipy.optimize" not in loaded


def test_fitting_lbfgs_loads_the_solver() -> None:
    code = (
        "import fitscope\n"
        "fitscope.LogisticRegression(solver='lbfgs', epochs=2).fit([[0.0], [1.0]], [0, 1])"
    )
    assert "scipy.optimize" in _loaded_after(code)


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in fitscope.__all__:
        assert getattr(fitscope, name) is not None, name
    assert set(fitscope.__all__) <= set(dir(fitscope))
    from fitscope import LogisticRegression, Store, diagnose, init, split
    from fitscope.models import LogisticRegression as Direct
    from fitscope.track import Store as DirectStore
    from fitscope.train import split as direct_split

    assert (LogisticRegression, Store, split) == (Direct, DirectStore, direct_split)
    assert callable(diagnose) and callable(init)
    namespace: dict[str, object] = {}
    exec("from fitscope import *", namespace)
    assert set(fitscope.__all__) <= set(namespace)
    assert isinstance(namespace["__version__"], str)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        fitscope.no_such_name  # noqa: B018
