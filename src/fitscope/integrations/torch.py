"""PyTorch: evaluate a model over a whole DataLoader with fitscope's exact metrics.

Tensors need no helper: ``run.log``, :func:`fitscope.evaluate`, :class:`fitscope.Evaluator`
and ``run.log_predictions`` take them directly (CPU or GPU, with or without grad).

A sketch (needs your own data)::

    from fitscope.integrations.torch import evaluate_model
    run.log(evaluate_model(model, val_loader), step=epoch, split="val")

Needs ``pip install "fitscope[torch]"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fitscope._optional import require
from fitscope.metrics.evaluator import Evaluator

torch = require("torch", extra="torch")

__all__ = ["evaluate_model", "sync"]


def sync(evaluator: Any, *, group: Any = None) -> Evaluator:
    """``evaluator`` merged with every other rank's, so each rank holds the metrics over all
    ranks' data (a DDP validation loop: each rank updates with its shard, then syncs).

    The evaluator's state is picklable sufficient statistics, so it travels with
    ``torch.distributed.all_gather_object`` (any backend, gloo on CPU included) and merges
    exactly, in rank order: the result equals one evaluator fed all the data. Without an
    initialised process group (a single process) the evaluator is returned as it is. Every
    rank of ``group`` must call it (it is a collective).
    """
    if not isinstance(evaluator, Evaluator):
        from fitscope._validation import describe
        from fitscope.errors import InvalidTypeError

        raise InvalidTypeError(
            f"evaluator must be a fitscope.Evaluator. Got {describe(evaluator)} instead."
        )
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()):
        return evaluator
    states: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(states, evaluator, group=group)
    merged: Evaluator = states[0]
    for other in states[1:]:
        merged = merged.merge(other)
    return merged


def evaluate_model(
    model: Any,
    batches: Iterable[Any],
    *,
    metrics: Sequence[Any] = ("log_loss", "accuracy"),
    from_logits: bool = True,
    device: Any = None,
) -> dict[str, Any]:
    """Metrics of ``model`` over every ``(inputs, targets)`` batch, merged exactly (not a mean
    of batch means). The model runs in eval mode without gradients and is put back in the mode
    it was in. Its outputs are logits by default (``from_logits=True``): the class scores of a
    network that ends in a Linear layer.

    >>> import torch, fitscope
    >>> from fitscope.integrations.torch import evaluate_model
    >>> model = torch.nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(2)); _ = model.bias.zero_()
    >>> batches = [(torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0]))]
    >>> evaluate_model(model, batches, metrics=["accuracy"])
    {'accuracy': 0.5}
    """
    evaluator = Evaluator(metrics, from_logits=from_logits)
    was_training = bool(getattr(model, "training", False))
    model.eval()
    try:
        with torch.no_grad():
            for inputs, targets in batches:
                if device is not None:
                    inputs = inputs.to(device)
                outputs = model(inputs)
                if outputs.ndim == 2 and outputs.shape[1] == 1:
                    outputs = outputs[:, 0]  # one output unit: the score of class 1
                evaluator.update(targets, outputs)
    finally:
        model.train(was_training)
    return evaluator.compute()
