"""The bundled handwritten-digits data (see data/README.md for its source and licence)."""

from __future__ import annotations

import gzip
from importlib.resources import files

import numpy as np
import numpy.typing as npt

__all__ = ["load_digits"]


def load_digits() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """The 1,797 8x8 digit images as ``(X, digit)``: pixels scaled to [0, 1], one row each.

    >>> X, digit = load_digits()
    >>> X.shape, digit.shape, float(X.max()), sorted(set(digit.tolist())) == list(range(10))
    ((1797, 64), (1797,), 1.0, True)
    """
    raw = files("fitscope.demo").joinpath("data", "digits.csv.gz").read_bytes()
    table = np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",")
    # The pixels count "on" cells in a 4x4 block, so 16 is the largest possible value.
    return table[:, :-1] / 16.0, table[:, -1].astype(np.int64)
