"""The doctor's findings on a run record, as plain dicts for the views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fitscope.doctor import diagnose
from fitscope.track.records import RunRecord

__all__ = ["FINDING_FIELDS", "finding_dict", "findings_for"]

FINDING_FIELDS = ("code", "severity", "title", "explanation", "evidence", "advice")


def finding_dict(finding: Any) -> dict[str, Any]:
    """A Finding (or any object or mapping with its fields) as a JSON-ready dict.

    >>> finding_dict({"code": "overfitting", "severity": "warning", "title": "T"})["advice"]
    ''
    """
    if isinstance(finding, Mapping):
        out = {k: finding.get(k, "") for k in FINDING_FIELDS}
    else:
        out = {k: getattr(finding, k, "") for k in FINDING_FIELDS}
    evidence = out["evidence"]
    out["evidence"] = dict(evidence) if isinstance(evidence, Mapping) else evidence
    for key in ("code", "severity", "title", "explanation", "advice"):
        out[key] = "" if out[key] is None else str(out[key])
    return out


def _findings_for(record: RunRecord, lang: str = "en") -> list[Any]:
    """The doctor's findings on ``record``, or [] when the run logged no loss (the doctor
    reads loss curves; a run of other metrics has nothing to say)."""
    if not any("loss" in metric for _, metric in record.series()):
        return []
    return list(diagnose(record, lang=lang))


def findings_for(record: RunRecord, lang: str = "en") -> list[dict[str, Any]]:
    """The doctor's findings on ``record`` as dicts (see :func:`finding_dict`), most severe
    first, worded in ``lang`` (en, ru, es, it)."""
    return [finding_dict(f) for f in _findings_for(record, lang)]
