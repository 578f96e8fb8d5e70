"""Uncertainty of held-out numbers and tests between runs (numpy and scipy only, no I/O).

- :func:`wilson_interval`: a proportion's 95% interval (accuracy, error rate).
- :func:`bootstrap_interval`: seeded, vectorised percentile bootstrap of any metric that is a
  function of per-sample sufficient statistics (log loss, F1, Brier, MSE...).
- :func:`delong`: AUC with its DeLong variance; :func:`delong_paired` / :func:`delong_unpaired`
  compare two AUCs.
- :func:`mcnemar`: paired accuracy (exact binomial below 25 discordant samples, else
  chi-square with continuity correction); :func:`two_proportion_test`: unpaired accuracy.
- :func:`paired_bootstrap` / :func:`unpaired_bootstrap`: the difference of any other metric.
- :func:`holm`: Holm's step-down correction for several comparisons.

Every choice and its reason: docs/compare.md.
"""

from __future__ import annotations

from fitscope.stats.bootstrap import (
    DEFAULT_RESAMPLES,
    MAX_GROUPS,
    Resampler,
    bootstrap_interval,
    paired_bootstrap,
    unpaired_bootstrap,
)
from fitscope.stats.closed_form import (
    delong,
    delong_paired,
    delong_unpaired,
    holm,
    mcnemar,
    newcombe_interval,
    two_proportion_test,
    wilson_interval,
)

__all__ = [
    "DEFAULT_RESAMPLES",
    "MAX_GROUPS",
    "Resampler",
    "bootstrap_interval",
    "delong",
    "delong_paired",
    "delong_unpaired",
    "holm",
    "mcnemar",
    "newcombe_interval",
    "paired_bootstrap",
    "two_proportion_test",
    "unpaired_bootstrap",
    "wilson_interval",
]
