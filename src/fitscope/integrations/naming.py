"""How a metric name that another framework wrote becomes fitscope's (split, metric).

Frameworks put the split into the metric's name: Keras ``val_loss``, Lightning ``val_acc`` or
``train/loss``, Hugging Face ``eval_loss``, PyTorch tutorials ``Loss/train``. One function reads
them all, so a hook and an importer of the same framework file the same value identically.

>>> from fitscope.integrations.naming import parse_name
>>> parse_name("val_loss")
ParsedName(split='val', metric='loss', level='epoch')
>>> parse_name("train_loss_step")
ParsedName(split='train_step', metric='loss', level='step')
>>> parse_name("Loss/train")
ParsedName(split='train', metric='loss', level=None)
>>> parse_name("eval_accuracy").split, parse_name("val_acc").metric
('val', 'accuracy')
"""

from __future__ import annotations

from typing import NamedTuple

from fitscope._names import METRIC_ALIASES, SPLIT_WORDS, canonical_metric

__all__ = [
    "METRIC_ALIASES",
    "SPLIT_WORDS",
    "ParsedName",
    "lightning_place",
    "metric_name",
    "parse_name",
    "split_of",
]


class ParsedName(NamedTuple):
    """A framework's metric name read as fitscope's split and metric.

    ``level`` is "step" or "epoch" when the name says so (Lightning's ``_step`` / ``_epoch``
    suffixes, or a validation prefix, which frameworks log once an epoch), else None.
    """

    split: str
    metric: str
    level: str | None


def metric_name(name: str) -> str:
    """A metric's fitscope name: lower case, known aliases renamed (``acc`` -> ``accuracy``).

    >>> metric_name("acc"), metric_name("logloss"), metric_name("Loss"), metric_name("f1_macro")
    ('accuracy', 'log_loss', 'loss', 'f1_macro')
    """
    return canonical_metric(name)


def split_of(word: str) -> str | None:
    """The split a word names (``"validation"`` -> ``"val"``), or None.

    >>> split_of("valid"), split_of("validation_1"), split_of("weights")
    ('val', None, None)
    """
    return SPLIT_WORDS.get(word.lower())


def parse_name(name: str, *, default_split: str = "train") -> ParsedName:
    """Read the split and metric out of a framework's metric name.

    Rules, in order: a ``_step`` / ``_epoch`` suffix sets the level (step-level values go to the
    split ``<split>_step``); a path (``train/loss``, ``Loss/train``) takes its split from the
    segment that names one; a prefix ``train_``, ``val_``, ``valid_``, ``validation_``,
    ``eval_`` or ``test_`` names the split; anything else is ``default_split``. Metric aliases
    are then renamed (:func:`metric_name`).
    """
    level: str | None = None
    base = name
    for suffix in ("_step", "_epoch"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base, level = base[: -len(suffix)], suffix[1:]
            break
    split: str | None = None
    if "/" in base:
        parts = [p for p in base.split("/") if p]
        named = [i for i, p in enumerate(parts) if split_of(p) is not None]
        if named and len(parts) > 1:
            split = split_of(parts[named[0]])
            base = "/".join(p for i, p in enumerate(parts) if i != named[0])
    if split is None:
        head, sep, rest = base.partition("_")
        if sep and rest and split_of(head) is not None:
            split, base = split_of(head), rest
    if split is None:
        split = default_split
    elif split != "train" and level is None:
        level = "epoch"  # validation and test values are computed over a whole pass
    if level == "step":
        split = f"{split}_step"
    return ParsedName(split, metric_name(base), level)


def lightning_place(
    name: str, *, epoch: int | None, step: int | None
) -> tuple[str, str, int | None]:
    """Where a value Lightning logged under ``name`` goes: ``(split, metric, step)``.

    Epoch-level names (``val_loss``, ``train_loss_epoch``) go to their split at ``epoch``;
    the rest (``train_loss_step``, and ``train_loss`` / ``loss``, which ``self.log`` in
    ``training_step`` sends once a step by default) to ``<split>_step`` at the global ``step``.
    A None step lets the run pick the next one.

    >>> lightning_place("val_acc", epoch=2, step=40)
    ('val', 'accuracy', 2)
    >>> lightning_place("train_loss", epoch=2, step=40)
    ('train_step', 'loss', 40)
    """
    parsed = parse_name(name)
    if parsed.level == "epoch":
        return parsed.split, parsed.metric, epoch
    split = parsed.split if parsed.level == "step" else f"{parsed.split}_step"
    return split, parsed.metric, step
