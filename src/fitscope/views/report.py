"""One self-contained HTML report of a run: opens offline, makes no request.

plotly.js is read from the installed plotly package and inlined, with the dashboard's own
chart code (views/static/charts.js, which the dashboard serves too), so the report and the
dashboard draw the same charts. The
run's data travel as one JSON block inside ``<script type="application/json">`` with ``<``,
``>`` and ``&`` escaped as ``\\u003c`` ..., so no user string can close the tag or run.
"""

from __future__ import annotations

import html
import json
import os
import time
from importlib import resources
from pathlib import Path
from typing import Any

from fitscope.errors import FitscopeError
from fitscope.stats.held_out import held_out_intervals
from fitscope.track.records import RunRecord
from fitscope.views import data
from fitscope.views.downsample import SMOOTHING_STEPS
from fitscope.views.findings import findings_for
from fitscope.views.predictions import predictions_panel

__all__ = ["STATIC_DIR", "plotly_js_path", "render_report", "report_data", "write_report"]

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def plotly_js_path() -> Path:
    """The plotly.min.js bundled with the installed plotly package (served offline)."""
    from fitscope._optional import require

    plotly = require("plotly", extra="web")
    path = Path(str(plotly.__file__)).parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise FitscopeError(f"plotly.min.js must ship with plotly. Got no file at {path} instead.")
    return path


def _script_json(value: Any) -> str:
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    for char, escaped in _ESCAPES.items():
        text = text.replace(char, escaped)
    return text


#: The page assets the report and the dashboard share (charts.js, app.css) and the report's own
#: report.js. They live here, with the lower of the two, so neither reads the other's files.
STATIC_DIR = Path(str(resources.files("fitscope.views") / "static"))


def _static(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def report_data(
    record: RunRecord, *, max_points: int = data.DEFAULT_MAX_POINTS, lang: str = "en"
) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready data (the same as the dashboard's API)."""
    out: dict[str, Any] = data.jsonable(
        {
            "run": data.run_detail(record),
            # Every slider step precomputed on the whole series: the report makes no request.
            "charts": data.chart_specs(record, max_points=max_points, smoothing=SMOOTHING_STEPS),
            "findings": findings_for(record, lang),
            "intervals": held_out_intervals(record),
            "panels": [predictions_panel(s) for s in record.predictions()],
        }
    )
    return out


def render_report(
    record: RunRecord, *, max_points: int = data.DEFAULT_MAX_POINTS, lang: str = "en"
) -> str:
    """The report of ``record`` as one HTML string (plotly.js inlined: about 4.8 MB), with the
    doctor's findings worded in ``lang``.

    >>> import tempfile, pathlib, fitscope
    >>> store = fitscope.Store(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> with fitscope.init(name="demo", store=store) as run:
    ...     run.log({"loss": 0.5, "accuracy": 0.8})
    >>> page = render_report(store.get_run(run.id))
    >>> page.startswith("<!doctype html>"), "fs-data" in page
    (True, True)
    """
    payload = report_data(record, max_points=max_points, lang=lang)
    run = payload["run"]
    title = html.escape(f"{run['name']} · fitscope report")
    meta = html.escape(
        f"{run['project']} · {run['id']} · {run['status']} · started "
        f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(run['start_time']))}"
        + (f" · tags: {', '.join(run['tags'])}" if run["tags"] else "")
    )
    plotly_js = plotly_js_path().read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_static("app.css")}</style>
<script>{plotly_js}</script>
<script>{_static("charts.js")}</script>
</head>
<body>
<header class="top"><span class="brand">fitscope report</span></header>
<main>
<h1 id="run-name">{html.escape(run["name"])}</h1>
<p class="muted">{meta}</p>
<div class="toolbar">
<label><input type="checkbox" id="smooth"> smoothing (EMA)</label>
<input type="range" id="smooth-weight" min="0" max="{len(SMOOTHING_STEPS) - 1}" step="1"
 value="{SMOOTHING_STEPS.index(0.6)}"> <span id="smooth-weight-value">0.6</span>
<label><input type="checkbox" id="log-scale"> log scale</label>
</div>
<div class="run-layout">
<div class="charts" id="charts"></div>
<aside>
<div class="panel"><h3>Held-out, 95% intervals</h3><div id="intervals"></div></div>
<div class="panel"><h3>Findings</h3><div id="findings"></div></div>
<div class="panel"><h3>Config</h3><div id="config"></div></div>
</aside>
</div>
<section class="predictions" id="predictions">
<h2>Predictions</h2>
<div class="toolbar"><input type="range" id="snapshot-slider" min="0" step="1">
<span id="snapshot-label"></span></div>
<div id="prediction-panel"></div>
</section>
</main>
<script type="application/json" id="fs-data">{_script_json(payload)}</script>
<script>{_static("report.js")}</script>
</body>
</html>
"""


def write_report(
    record: RunRecord,
    path: str | os.PathLike[str],
    *,
    max_points: int = data.DEFAULT_MAX_POINTS,
    lang: str = "en",
) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_report(record, max_points=max_points, lang=lang), encoding="utf-8")
    return out
