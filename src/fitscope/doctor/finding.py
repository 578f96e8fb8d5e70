"""The Finding: what the doctor says about one problem, with the numbers behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from fitscope._i18n import fmt, translator
from fitscope.doctor.messages import MESSAGES, NOTES, WORDS

__all__ = ["SEVERITIES", "Draft", "Finding", "Severity"]

Severity = Literal["info", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "problem")


@dataclass(frozen=True)
class Finding:
    """One diagnosis.

    ``code`` is a stable snake_case name (the catalogs, the CLI and JSON key on it);
    ``severity`` is "info", "warning" or "problem"; ``title``, ``explanation`` and ``advice``
    are sentences in the requested language with this run's numbers; ``evidence`` holds the
    numbers themselves (epochs, values, indices, shares) as plain Python values.
    """

    code: str
    severity: Severity
    title: str
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)


@dataclass(frozen=True)
class Draft:
    """A finding before it is worded: ``params`` fill the message's placeholders (numbers are
    formatted per language; values that name a key of WORDS are translated)."""

    code: str
    severity: Severity
    evidence: dict[str, Any]
    params: dict[str, Any]
    variant: str = ""
    notes: tuple[str, ...] = ()  # keys of NOTES: sentences appended to the explanation

    def render(self, lang: str) -> Finding:
        tr = translator(lang).gettext
        texts = MESSAGES[f"{self.code}.{self.variant}" if self.variant else self.code]
        values = {k: _word(p, lang) for k, p in self.params.items()}
        explanation = " ".join(
            [tr(texts.explanation).format(**values)]
            + [tr(NOTES[note]).format(**values) for note in self.notes]
        )
        return Finding(
            code=self.code,
            severity=self.severity,
            title=tr(texts.title).format(**values),
            explanation=explanation,
            evidence=self.evidence,
            advice=tr(texts.advice).format(**values),
        )


def _word(value: Any, lang: str) -> str:
    if isinstance(value, str):
        return translator(lang).gettext(WORDS[value]) if value in WORDS else value
    if isinstance(value, list):  # samples: (id, probability) pairs or plain values
        return ", ".join(
            f"{item[0]} ({fmt(item[1], lang)})" if isinstance(item, tuple) else fmt(item, lang)
            for item in value
        )
    return fmt(value, lang)
