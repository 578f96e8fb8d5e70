"""Import optional dependencies lazily, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from fitscope.errors import MissingDependencyError


def require(module: str, *, extra: str) -> ModuleType:
    """Import ``module``, or raise MissingDependencyError naming ``fitscope[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"{module} must be installed for this feature. Got no module named {module!r} "
            f'instead. Install it with: pip install "fitscope[{extra}]"'
        ) from error
