"""The doctor on comparisons of runs (issue 18): the test split is for the end.

Pure: takes the pairs :func:`fitscope.compare` returned, returns findings.

- ``comparison_on_test``: two or more runs compared against each other on the test split; the
  test score of whichever wins is then optimistic.
- ``best_within_noise``: of three or more runs, the best one by the first metric is not better
  than the runner-up beyond noise (their own comparison, ``runner_up``, is not significant).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fitscope.doctor.finding import Draft, Finding
from fitscope.doctor.i18n import check_lang

__all__ = ["comparison_findings", "ranking"]


def ranking(pairs: Sequence[dict[str, Any]], metric: str) -> list[tuple[str, float]]:
    """Every compared run's (name, value) of ``metric``, best first (its declared direction)."""
    from fitscope.stats.compare import verdict

    values: dict[str, float] = {}
    for p in pairs:
        row = next((r for r in p["metrics"] if r["metric"] == metric), None)
        if row is None or row["a"] is None:
            continue
        values[p["a_run"]["name"]] = row["a"]
        values[p["b_run"]["name"]] = row["b"]
    higher = verdict(metric, 1.0, True) == "b_better"
    return sorted(values.items(), key=lambda kv: kv[1], reverse=higher)


def comparison_findings(
    pairs: Sequence[dict[str, Any]],
    *,
    runner_up: dict[str, Any] | None = None,
    lang: str = "en",
) -> list[Finding]:
    """Findings on one comparison of runs. ``runner_up``: the pair (runner-up, best) when three
    or more runs were compared (the caller computes it with :func:`fitscope.compare`)."""
    check_lang(lang)
    out: list[Finding] = []
    if not pairs:
        return out
    count = len(pairs) + 1
    if pairs[0]["split"] == "test" and count >= 3:
        evidence = {"runs": count, "split": "test"}
        out.append(Draft("comparison_on_test", "warning", evidence, {"count": count}).render(lang))
    if runner_up is not None and count >= 3:
        row = next((r for r in runner_up["metrics"] if r["p_value"] is not None), None)
        if row is not None and not row["significant"]:
            evidence = {
                "metric": row["metric"], "best": runner_up["b_run"]["name"],
                "runner_up": runner_up["a_run"]["name"], "best_value": row["b"],
                "difference": -row["difference"], "ci_low": -row["ci_high"],
                "ci_high": -row["ci_low"], "p_value": row["p_value"], "test": row["test"],
                "runs": count,
            }  # fmt: skip
            params = {**evidence, "count": count}
            params.pop("runs")
            out.append(Draft("best_within_noise", "warning", evidence, params).render(lang))
    return out
