"""Update rules as pure ``(init, update)`` pairs over explicit state, in the style of optax.

A rule is a :class:`Rule`: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, new_state)``. Nothing is mutated: the caller applies
``params + updates`` (:func:`apply_updates`) and keeps the new state. Rules compose with
:func:`chain`, which feeds each rule's updates to the next as its "gradients".

>>> import numpy as np
>>> from fitscope import optim
>>> rule = optim.chain(optim.adam(0.1), optim.l1_prox(0.01))
>>> params = np.array([1.0, -2.0])
>>> state = rule.init(params)
>>> updates, state = rule.update(np.array([0.5, -0.5]), state, params)
>>> optim.apply_updates(params, updates).round(4)
array([ 0.89, -1.89])
"""

from __future__ import annotations

from fitscope.optim._rules import (
    AdamState,
    MomentumState,
    Rule,
    adam,
    apply_updates,
    chain,
    gd,
    l1_prox,
    momentum,
    scale,
)

__all__ = [
    "AdamState",
    "MomentumState",
    "Rule",
    "adam",
    "apply_updates",
    "chain",
    "gd",
    "l1_prox",
    "momentum",
    "scale",
]
