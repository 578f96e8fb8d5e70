"""Run tracking: record loss and metrics per step and split into a store.

``fitscope.init()`` starts a :class:`Run`; ``run.log()`` is cheap (a background thread writes);
:class:`Store` reads runs back as :class:`RunRecord` snapshots.
"""

from __future__ import annotations

from fitscope.track.records import History, PredictionSnapshot, RunRecord
from fitscope.track.run import Run, init
from fitscope.track.store import DEFAULT_PATH, Store

__all__ = ["DEFAULT_PATH", "History", "PredictionSnapshot", "Run", "RunRecord", "Store", "init"]
