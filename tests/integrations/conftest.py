"""Integration tests run real (small, CPU) trainings of each framework."""

from __future__ import annotations

import os

# Keras 3 picks its backend when first imported: the tests use torch (the CPU wheel).
os.environ.setdefault("KERAS_BACKEND", "torch")

import pathlib

import pytest

import fitscope


@pytest.fixture
def store(tmp_path: pathlib.Path) -> fitscope.Store:
    return fitscope.Store(tmp_path / "runs.db")
