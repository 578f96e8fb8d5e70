"""The Finding: what the doctor says about one problem, with the numbers behind it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from fitscope._i18n import fmt, translator
from fitscope.doctor.messages import (
    MESSAGES,
    NOTES,
    STEP_MESSAGES,
    STEP_PARAMS,
    STEP_WORDS,
    WITH_EPOCH,
    WORDS,
)

__all__ = ["SEVERITIES", "At", "Axis", "Draft", "Finding", "Severity", "Unit"]

Severity = Literal["info", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "problem")
Unit = Literal["epoch", "step"]


class At(int):
    """A position on a run's x-axis as the curves store it (an epoch, or a step): the
    :class:`Axis` writes it, in the evidence and in the sentences, in the run's own unit."""


@dataclass(frozen=True)
class Axis:
    """What the steps of a run's curves count, decided once where the run is read.

    ``unit`` "epoch": each step is an epoch, numbered as the framework numbers it; "step":
    the steps are optimizer steps (or whatever a plain ``run.log`` loop counted). Where the
    run logged an ``epoch`` series (Hugging Face's ``epoch``, a user's ``{"epoch": e}``),
    ``epoch_steps`` and ``epoch_values`` map a step to the framework's epoch (linear between
    the logged points, as the charts' x=epoch does). With that map and unit "epoch" (one
    logged step per whole epoch) positions are written as those epochs; with unit "step"
    they are written as steps, each with its epoch beside it.
    """

    unit: Unit = "epoch"
    epoch_steps: tuple[int, ...] = ()
    epoch_values: tuple[float, ...] = ()

    def epoch_of(self, step: int) -> float | int | None:
        """The framework's epoch at ``step`` (None without an epoch series)."""
        if not self.epoch_steps:
            return None
        e = float(np.interp(float(step), self.epoch_steps, self.epoch_values))
        return int(e) if math.isfinite(e) and e.is_integer() else e

    def position(self, step: int) -> int | float:
        """The number a position is shown as: the epoch (unit "epoch" with a map), else
        the stored step."""
        if self.unit == "epoch" and self.epoch_steps:
            e = self.epoch_of(step)
            return int(step) if e is None else e
        return int(step)

    def write(self, step: int, lang: str) -> str:
        """A position as the sentences write it: ``12`` (an epoch), ``180`` (a step) or
        ``180 (epoch 9)`` (a step whose epoch is known)."""
        if self.unit == "epoch":
            return fmt(self.position(step), lang)
        epoch = self.epoch_of(step)
        if epoch is None:
            return str(int(step))  # a step is an address, not an amount: no grouping
        text = translator(lang).gettext(WITH_EPOCH)
        return text.format(step=str(int(step)), epoch=fmt(epoch, lang))

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A draft's placeholders as the unit's sentences name them ({step} for a step)."""
        if self.unit == "epoch":
            return dict(params)
        return {STEP_PARAMS.get(k, k): STEP_WORDS.get(p, p) if isinstance(p, str) else p
                for k, p in params.items()}  # fmt: skip

    def evidence(self, evidence: Mapping[str, Any]) -> dict[str, Any]:
        """The evidence with positions written as plain numbers in the unit, ``unit`` beside
        them, and where a map is known the step <-> epoch pairs of those positions."""
        out: dict[str, Any] = {}
        seen: list[int] = []
        for key, value in evidence.items():
            if isinstance(value, At):
                seen.append(int(value))
                out[key] = self.position(value)
            elif isinstance(value, list) and value and all(isinstance(x, At) for x in value):
                seen.extend(int(x) for x in value)
                out[key] = [self.position(x) for x in value]
            elif self.unit == "step" and isinstance(value, str):
                out[key] = STEP_WORDS.get(value, value)
            else:
                out[key] = value
        if not seen and "reference_kind" not in evidence:
            return out
        out["unit"] = self.unit
        if self.epoch_steps and seen:
            if self.unit == "epoch":
                out["step_of_epoch"] = {str(self.position(s)): s for s in seen}
            else:
                out["epoch_at_step"] = {str(s): self.epoch_of(s) for s in seen}
        return out


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
    axis: Axis | None = None  # the run's unit (None: epochs, as a History numbers them)

    def render(self, lang: str) -> Finding:
        tr = translator(lang).gettext
        axis = self.axis or Axis()
        key = f"{self.code}.{self.variant}" if self.variant else self.code
        texts = (STEP_MESSAGES.get(key) if axis.unit == "step" else None) or MESSAGES[key]
        values = {k: _word(p, lang, axis) for k, p in axis.params(self.params).items()}
        explanation = " ".join(
            [tr(texts.explanation).format(**values)]
            + [tr(NOTES[note]).format(**values) for note in self.notes]
        )
        return Finding(
            code=self.code,
            severity=self.severity,
            title=tr(texts.title).format(**values),
            explanation=explanation,
            evidence=axis.evidence(self.evidence),
            advice=tr(texts.advice).format(**values),
        )


def _word(value: Any, lang: str, axis: Axis) -> str:
    if isinstance(value, At):
        return axis.write(value, lang)
    if isinstance(value, list) and value and all(isinstance(x, At) for x in value):
        return ", ".join(axis.write(x, lang) for x in value)
    if isinstance(value, str):
        return translator(lang).gettext(WORDS[value]) if value in WORDS else value
    if isinstance(value, list):  # samples: (id, probability) pairs or plain values
        return ", ".join(
            f"{item[0]} ({fmt(item[1], lang)})" if isinstance(item, tuple) else fmt(item, lang)
            for item in value
        )
    return fmt(value, lang)
