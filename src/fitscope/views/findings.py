"""The doctor's findings on a run record, as plain dicts for the views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fitscope._i18n import translator
from fitscope.doctor import diagnose
from fitscope.doctor.messages import LABELS
from fitscope.track.records import RunRecord

__all__ = ["FINDING_FIELDS", "SHOWN", "evidence_shown", "finding_dict", "findings_for"]

#: Entries of an evidence list the views show before "and N more" (confident_mistakes names
#: every sample, hundreds on a noisy data set); JSON (``--json``, the API's ``evidence``) keeps
#: every one.
SHOWN = 5

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


def evidence_shown(
    evidence: Mapping[str, Any], lang: str = "en", shown: int = SHOWN
) -> list[tuple[str, str]]:
    """``evidence`` as (key, text) pairs for people: numbers to 4 significant digits, lists
    and mappings cut to their first ``shown`` entries with "and N more" (in ``lang``).

    >>> evidence_shown({"count": 163, "indices": list(range(163)), "share": 0.97123})
    [('count', '163'), ('indices', '0, 1, 2, 3, 4 and 158 more'), ('share', '0.9712')]
    >>> evidence_shown({"indices": list(range(9))}, lang="it")
    [('indices', '0, 1, 2, 3, 4 e altri 4')]
    """
    more = translator(lang).gettext(LABELS["more"])
    return [(str(key), _shown(value, more, shown)) for key, value in evidence.items()]


def _shown(value: Any, more: str, shown: int) -> str:
    if isinstance(value, Mapping):
        items = [f"{k}: {_shown(v, more, shown)}" for k, v in value.items()]
        total = len(items)
    elif isinstance(value, list | tuple):
        # An inner list (a (id, value) pair, a row) is bracketed so the outer commas read.
        items = [
            f"[{_shown(v, more, shown)}]" if isinstance(v, list | tuple) else _shown(v, more, shown)
            for v in value[:shown]
        ]
        total = len(value)
    elif value is None:
        return "-"
    elif isinstance(value, bool):
        return str(value).lower()
    elif isinstance(value, float):
        return format(value, ".4g")
    else:
        return str(value)
    text = ", ".join(items[:shown])
    if total > shown:
        text += " " + more.format(count=total - shown)
    return text


def _findings_for(record: RunRecord, lang: str = "en") -> list[Any]:
    """The doctor's findings on ``record``, or [] when the run logged no loss (the doctor
    reads loss curves; a run of other metrics has nothing to say)."""
    if not any("loss" in metric for _, metric in record.series()):
        return []
    return list(diagnose(record, lang=lang))


def findings_for(record: RunRecord, lang: str = "en") -> list[dict[str, Any]]:
    """The doctor's findings on ``record`` as dicts (see :func:`finding_dict`), most severe
    first, worded in ``lang`` (en, ru, es, it); each also holds ``evidence_shown``, the
    evidence as the views show it (:func:`evidence_shown`), beside the full ``evidence``."""
    out = []
    for f in _findings_for(record, lang):
        d = finding_dict(f)
        d["evidence_shown"] = evidence_shown(d["evidence"], lang)
        out.append(d)
    return out
