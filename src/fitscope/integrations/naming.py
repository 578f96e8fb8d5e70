"""How a metric name that another framework wrote becomes fitscope's (split, metric).

Every hook and importer reads names with the one parser, :func:`fitscope._names.parse_key`
(re-exported here), so a hook and an importer of the same framework file the same value
identically, and ``run.log`` files a key the way they do. This module adds the one rule that
is Lightning's own: where a value goes when the name alone does not say whether it is
per-step or per-epoch.

>>> from fitscope.integrations.naming import parse_key
>>> parse_key("val_loss")[:3]
('val', 'loss', None)
>>> parse_key("train_loss_step")[:3]
('train_step', 'loss', 'step')
"""

from __future__ import annotations

from fitscope._names import METRIC_ALIASES, SPLIT_WORDS, Name, canonical_metric, parse_key, split_of

__all__ = [
    "METRIC_ALIASES",
    "SPLIT_WORDS",
    "Name",
    "lightning_place",
    "metric_name",
    "parse_key",
    "split_of",
]


def metric_name(name: str) -> str:
    """A metric's fitscope name: lower case, known aliases renamed (``acc`` -> ``accuracy``).

    >>> metric_name("acc"), metric_name("logloss"), metric_name("Loss"), metric_name("f1_macro")
    ('accuracy', 'log_loss', 'loss', 'f1_macro')
    """
    return canonical_metric(name)


def lightning_place(
    name: str, *, epoch: int | None, step: int | None, epoch_level: bool | None = None
) -> tuple[str, str, int | None]:
    """Where a value Lightning logged under ``name`` goes: ``(split, metric, step)``.

    Epoch-level values go to their split at ``epoch``; step-level values to ``<split>_step``
    at the global ``step``. ``epoch_level`` is what the caller knows of the moment the value
    was sent (Lightning's epoch-end logging, or its step logging); when it is None the name
    decides: ``_epoch`` suffixes and validation or test names are epoch-level, the rest
    (``train_loss``, ``loss``: what ``self.log`` in ``training_step`` sends by default) are
    step-level. A None step lets the run pick the next one.

    >>> lightning_place("val_acc", epoch=2, step=40)
    ('val', 'accuracy', 2)
    >>> lightning_place("train_loss", epoch=2, step=40)
    ('train_step', 'loss', 40)
    >>> lightning_place("train_loss", epoch=2, step=40, epoch_level=True)
    ('train', 'loss', 2)
    """
    parsed = parse_key(name)
    if parsed.level == "step":
        return parsed.split, parsed.metric, step
    if parsed.level == "epoch":
        return parsed.split, parsed.metric, epoch
    if epoch_level is None:
        epoch_level = parsed.split != "train"
    if epoch_level:
        return parsed.split, parsed.metric, epoch
    return f"{parsed.split}_step", parsed.metric, step
