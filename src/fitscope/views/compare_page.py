"""One offline HTML page comparing runs (``fitscope compare ... --html``): the significance
table, the doctor's word on the comparison, every metric's curves, the config diff and the
hyperparameter view (parallel coordinates of the runs' config keys vs the best validation
metric). Like the report: plotly.js, the chart code and the data are inline; no request.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fitscope.track.records import RunRecord
from fitscope.views.data import jsonable
from fitscope.views.hyperparams import (
    compare_charts,
    config_diff,
    first_baseline,
    hyperparameter_rows,
)
from fitscope.views.report import _script_json, _static, plotly_js_path

__all__ = ["compare_page_data", "render_compare_page", "write_compare_page"]


def compare_page_data(
    records: Sequence[RunRecord],
    pairs: Sequence[dict[str, Any]],
    *,
    findings: Sequence[Any] = (),
    metric: str = "loss",
) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data."""
    out: dict[str, Any] = jsonable(
        {
            "pairs": list(pairs),
            "findings": [f.to_dict() if hasattr(f, "to_dict") else f for f in findings],
            "charts": compare_charts(records),
            "config": config_diff(records),
            "config_all": config_diff(records, only_different=False),
            "hyperparams": hyperparameter_rows(
                records, metric, baseline=first_baseline(records, metric)
            ),
        }
    )
    return out


def render_compare_page(
    records: Sequence[RunRecord],
    pairs: Sequence[dict[str, Any]],
    *,
    findings: Sequence[Any] = (),
    metric: str = "loss",
) -> str:
    """The comparison of ``records`` as one HTML string (plotly.js inlined)."""
    payload = compare_page_data(records, pairs, findings=findings, metric=metric)
    names = html.escape(" vs ".join(r.name for r in records))
    plotly_js = plotly_js_path().read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{names} · fitscope compare</title>
<style>{_static("app.css")}</style>
<script>{plotly_js}</script>
<script>{_static("charts.js")}</script>
<script>{_static("compare.js")}</script>
</head>
<body>
<header class="top"><span class="brand">fitscope compare</span></header>
<main>
<h1 id="compare-title">{names}</h1>
<section class="panel"><h2>Is the difference real?</h2><div id="significance"></div>
<div id="compare-findings"></div></section>
<section class="panel"><h2>Config</h2>
<label><input type="checkbox" id="config-all"> show equal config keys</label>
<div id="config-diff"></div></section>
<div class="toolbar"><label><input type="checkbox" id="compare-log"> log scale</label></div>
<div class="charts compare-charts" id="compare-charts"></div>
<section class="panel"><h2>Hyperparameters</h2><div class="chart" id="parallel"></div>
<p class="muted" id="params-baseline"></p><div id="params-table-box"></div></section>
</main>
<script type="application/json" id="fs-data">{_script_json(payload)}</script>
<script>{_static("compare_report.js")}</script>
</body>
</html>
"""


def write_compare_page(
    records: Sequence[RunRecord],
    pairs: Sequence[dict[str, Any]],
    path: str | os.PathLike[str],
    *,
    findings: Sequence[Any] = (),
    metric: str = "loss",
) -> Path:
    """Write :func:`render_compare_page` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(
        render_compare_page(records, pairs, findings=findings, metric=metric), encoding="utf-8"
    )
    return out
