"""The shell side of the doctor: what a ``diagnose(source)`` argument is, read into values.

:func:`diagnose` works out whether ``source`` is a file, a run id or name, a live
:class:`fitscope.Run` or a value already in memory; it reads files and opens stores (the I/O),
then hands curves and prediction snapshots to the pure doctor (:mod:`fitscope.doctor`), which
opens nothing. It lives here, beside the package face, because both the Python API
(``fitscope.diagnose``) and the command line (``fitscope doctor``) call it, and neither the
doctor (pure) nor the store (which knows nothing of findings) is its place.

>>> import fitscope
>>> history = {"loss": [0.7, 0.5, 0.4], "val_loss": [0.7, 0.6, 0.55]}
>>> fitscope.diagnose(history)
[]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fitscope import doctor
from fitscope._i18n import check_lang
from fitscope.doctor import files
from fitscope.doctor.finding import Finding
from fitscope.errors import InvalidInputError

__all__ = ["diagnose"]


def diagnose(
    source: Any, *, lang: str = "en", store: Any = None, n: Mapping[str, int] | None = None
) -> list[Finding]:
    """Findings about a training run, most severe first (an empty list: nothing to report).

    ``source`` is a dict of per-epoch lists (Keras' ``History.history``) or a DataFrame of
    them, an object with such a ``history`` dict (a Keras ``History``), a live
    :class:`fitscope.Run` (what it logged so far), a run record from the store (anything with
    ``series()``, ``history(metric, split)`` and ``predictions()``), a run id or name (looked up
    in ``store``: a :class:`fitscope.Store` or its URL; default the default store), or the path
    of a History JSON, a per-epoch CSV or a predictions CSV. ``n`` gives the number of samples
    behind each split's numbers (``{"val": 2000}``) so that validation changes are judged
    against sampling noise (see :func:`fitscope.doctor.diagnose`).

    >>> import fitscope
    >>> epochs = range(1, 41)
    >>> history = {
    ...     "loss": [0.7 * 0.93**e for e in epochs],
    ...     "val_loss": [0.3 + 0.4 * 0.9**e + 0.004 * max(0, e - 15) for e in epochs],
    ... }
    >>> [f.code for f in fitscope.diagnose(history)]
    ['overfitting']
    """
    lang = check_lang(lang)
    if isinstance(source, str | os.PathLike):
        if os.path.isfile(source):
            loaded = files.load(os.fspath(source))
            if isinstance(loaded, files.PredictionsFile):
                return doctor.explain(
                    loaded.y_true, loaded.y_pred, lang=lang, sample_ids=loaded.ids
                )
            return doctor.diagnose(loaded, lang=lang, n=n)
        if isinstance(source, os.PathLike) or _looks_like_a_path(source):
            raise InvalidInputError(
                f"source must be an existing file or a run id. Got {os.fspath(source)!r}, "
                "which looks like a path but is not a file."
            )
        return doctor.diagnose(_from_store(source, store), lang=lang, n=n)
    live = callable(getattr(source, "flush", None)) and hasattr(source, "store")
    if live and not doctor.is_record(source):
        source.flush()  # a live fitscope.Run: read what it has logged so far
        return doctor.diagnose(source.store.get_run(source.id), lang=lang, n=n)
    return doctor.diagnose(source, lang=lang, n=n)


def _looks_like_a_path(text: str) -> bool:
    return os.sep in text or os.path.splitext(text)[1].lower() in files.SUFFIXES


def _from_store(run_id: str, store: Any) -> Any:
    """The record of ``run_id`` in ``store`` (a Store, its URL, or None: the default store)."""
    owned = store is None or isinstance(store, str | os.PathLike)
    if owned:
        from fitscope.track import Store

        # Looking a run up never creates a store: a wrong path says so instead.
        store = Store(None if store is None else str(store), create=False)
    try:
        return store.get_run(run_id)
    finally:
        if owned:
            store.close()
