"""The dashboard's web app: a JSON API over a :class:`~fitscope.track.Store` and one page.

``create_app(store, token=None)`` builds a fresh FastAPI app with the store bound in a closure,
so two apps over two stores can live in one process (no module globals). When ``token`` is set,
every ``/api`` request must carry it (header ``X-Fitscope-Token`` or ``?token=``); the page and
its static files need no token, they hold no data. Errors keep the library's message:
``{"error": {"type": ..., "message": ...}}`` with 404 for an unknown run and 422 for bad input.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from fitscope.errors import FitscopeError, InvalidInputError, RunNotFoundError
from fitscope.track.store import Store
from fitscope.views import data, hyperparams, predictions
from fitscope.views.data import jsonable
from fitscope.views.findings import findings_for
from fitscope.views.report import STATIC_DIR as SHARED_DIR
from fitscope.views.report import plotly_js_path

__all__ = ["STATIC_DIR", "create_app"]

STATIC_DIR = Path(str(resources.files("fitscope.web") / "static"))
_STATIC_FILES = {"index.html", "app.js"}
# shared with the HTML report and the offline compare page: views/static/
_SHARED_FILES = {"app.css", "charts.js", "compare.js"}
_MEDIA = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
MaxPoints = Annotated[int, Query(ge=4, le=200_000, description="points per series at most")]
Smoothing = Annotated[
    float | None,
    Query(ge=0.0, lt=1.0, description="EMA weight per drawn point; computed on the whole series"),
]
XAxis = Annotated[str, Query(pattern="^(step|epoch|time)$", description="step, epoch or time")]


_SORT_HELP = (
    "field, '-' in front for descending: start_time, end_time, duration, name, project, "
    "status, config.KEY, best:SPLIT/METRIC, last:SPLIT/METRIC, count:SPLIT/METRIC"
)


def _config_item(item: str) -> tuple[str, Any]:
    """``"lr=0.1"`` -> ``("lr", 0.1)``: the value read as JSON when it parses, else as text."""
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise InvalidInputError(f"config must be KEY=VALUE. Got {item!r} instead.")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


def create_app(
    store: Store, *, token: str | None = None, allowed_hosts: Sequence[str] | None = None
) -> FastAPI:
    """A FastAPI app serving the dashboard page and its JSON API over ``store``.

    ``allowed_hosts``: the Host header values accepted (others get 400), which stops a web page
    from reaching a loopback dashboard through DNS rebinding; ``fitscope ui`` sets it on
    loopback. The interactive /docs pages are off: they load their scripts from a CDN.

    >>> import tempfile, os
    >>> from fastapi.testclient import TestClient
    >>> from fitscope.track import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "runs.db"))
    >>> TestClient(create_app(store)).get("/api/runs").json()
    {'runs': [], 'total': 0, 'offset': 0, 'limit': 50, 'next_offset': None}
    """
    app = FastAPI(
        title="fitscope dashboard API",
        version="1",
        description="Runs, series (min/max downsampled), predictions panels and findings.",
        docs_url=None,
        redoc_url=None,
    )
    if allowed_hosts is not None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))

    def check_token(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("x-fitscope-token") or request.query_params.get("token")
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            got = "no token" if given is None else "a wrong token"
            raise HTTPException(
                401,
                f"token must be sent as the X-Fitscope-Token header or ?token=. Got {got} "
                "instead. Open the page as http://HOST:PORT/?token=YOUR_TOKEN.",
            )

    @app.exception_handler(RunNotFoundError)
    async def _not_found(_: Request, error: RunNotFoundError) -> JSONResponse:
        return _error(404, type(error).__name__, str(error))

    @app.exception_handler(FitscopeError)
    async def _bad_input(_: Request, error: FitscopeError) -> JSONResponse:
        status = 422 if isinstance(error, ValueError | TypeError) else 500
        return _error(status, type(error).__name__, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, "InvalidInputError", f"{where} {first.get('msg', 'is invalid')}.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = "Unauthorized" if error.status_code == 401 else "HTTPError"
        return _error(error.status_code, kind, str(error.detail))

    api = [Depends(check_token)]

    @app.get("/api/runs", dependencies=api, tags=["runs"])
    def list_runs(
        project: str | None = None,
        status: Annotated[str | None, Query(pattern="^(running|finished|failed|crashed)$")] = None,
        tag: Annotated[list[str] | None, Query(description="runs with every tag given")] = None,
        config: Annotated[
            list[str] | None, Query(description="KEY=VALUE (VALUE read as JSON if it parses)")
        ] = None,
        metric: Annotated[
            list[str] | None, Query(description="FIELD OP NUMBER, e.g. best:val/loss<0.5")
        ] = None,
        q: Annotated[str | None, Query(max_length=255, description="text in the name")] = None,
        sort: Annotated[str, Query(max_length=300, description=_SORT_HELP)] = "-start_time",
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    ) -> dict[str, Any]:
        """One page of runs (newest first by default) with their headline numbers and series
        summaries, sorted, filtered and searched in the database; ``total`` runs match."""
        page = store.run_page(
            project=project,
            status=status,
            tags=tag or [],
            config=dict(_config_item(item) for item in config or []),
            metrics=metric or [],
            search=q or None,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        return {
            "runs": jsonable(page.rows),
            "total": page.total,
            "offset": page.offset,
            "limit": limit,
            "next_offset": page.next_offset,
        }

    @app.get("/api/projects", dependencies=api, tags=["runs"])
    def projects() -> dict[str, Any]:
        """The project names in the store (for the runs page's filter)."""
        return {"projects": store.projects()}

    @app.get("/api/runs/{run_id}", dependencies=api, tags=["runs"])
    def run_detail(run_id: str) -> dict[str, Any]:
        """One run: row, config, series, summary, snapshots and baselines."""
        out: dict[str, Any] = jsonable(data.run_detail(store.get_run(run_id)))
        return out

    @app.delete("/api/runs/{run_id}", dependencies=api, tags=["runs"], status_code=204)
    def delete_run(run_id: str) -> Response:
        """Delete a run and everything it logged (needs the token when one is set)."""
        store.delete_run(store.get_run(run_id, series=False, predictions=False).id)
        return Response(status_code=204)

    @app.get("/api/runs/{run_id}/charts", dependencies=api, tags=["series"])
    def charts(
        run_id: str, x: XAxis = "step", max_points: MaxPoints = 2000, smoothing: Smoothing = None
    ) -> dict[str, Any]:
        """Every chart of the run page in one answer: one per metric, every split on it (with
        the EMA of the whole series at the drawn points when ``smoothing`` is given)."""
        record = store.get_run(run_id)
        weights = () if smoothing is None else (smoothing,)
        specs = data.chart_specs(record, x=x, max_points=max_points, smoothing=weights)
        return {"status": record.status, "x": x, "charts": jsonable(specs)}

    @app.get("/api/runs/{run_id}/series", dependencies=api, tags=["series"])
    def series(
        run_id: str,
        metric: str,
        split: str = "train",
        x: XAxis = "step",
        max_points: MaxPoints = 2000,
        smoothing: Smoothing = None,
    ) -> dict[str, Any]:
        """One series, min/max downsampled to at most ``max_points`` (plus NaN/inf points)."""
        record = store.get_run(run_id, predictions=False)
        if (split, metric) not in record.series():
            raise InvalidInputError(
                f"metric and split must name a logged series. Got {metric!r} on {split!r} "
                f"instead. This run has: {', '.join(f'{s}/{m}' for s, m in record.series())}."
            )
        out: dict[str, Any] = jsonable(
            data.series_data(
                record,
                metric,
                split,
                x=x,
                max_points=max_points,
                smoothing=() if smoothing is None else (smoothing,),
            )
        )
        return out

    @app.get("/api/runs/{run_id}/predictions", dependencies=api, tags=["predictions"])
    def prediction_panel(
        run_id: str,
        split: str | None = None,
        step: Annotated[int | None, Query(ge=0)] = None,
        top: Annotated[int, Query(ge=1, le=1000)] = 20,
    ) -> dict[str, Any]:
        """The predictions panel of one snapshot (default: the latest of the split)."""
        snaps = store.get_run(run_id, series=False).predictions(split)
        if step is not None:
            snaps = [s for s in snaps if s.step == step]
        if not snaps:
            raise InvalidInputError(
                f"split and step must name a prediction snapshot of this run. Got split={split!r}"
                f", step={step!r} instead. GET /api/runs/{{id}} lists them under 'snapshots'."
            )
        out: dict[str, Any] = jsonable(predictions.predictions_panel(snaps[-1], top=top))
        return out

    @app.get("/api/runs/{run_id}/intervals", dependencies=api, tags=["findings"])
    def intervals(run_id: str) -> dict[str, Any]:
        """Held-out numbers of the latest snapshots with 95% intervals and n (issue 18)."""
        from fitscope.stats.held_out import held_out_intervals

        return {"intervals": jsonable(held_out_intervals(store.get_run(run_id)))}

    @app.get("/api/runs/{run_id}/findings", dependencies=api, tags=["findings"])
    def findings(run_id: str, lang: str = "en") -> dict[str, Any]:
        """The doctor's findings on the run, most severe first, in ``lang`` (en, ru, es, it)."""
        return {"findings": jsonable(findings_for(store.get_run(run_id), lang))}

    @app.get("/api/compare", dependencies=api, tags=["series"])
    def compare(
        ids: Annotated[str, Query(description="run ids, comma-separated")],
        metric: str = "loss",
        split: str = "train",
        x: XAxis = "step",
        max_points: MaxPoints = 2000,
    ) -> dict[str, Any]:
        """The same metric and split of several runs, one series per run."""
        wanted = [i for i in (p.strip() for p in ids.split(",")) if i]
        if not wanted or len(wanted) > 50:
            raise InvalidInputError(
                f"ids must list 1 to 50 run ids separated by commas. Got {ids!r} instead."
            )
        # Exact ids in one read (2 statements for all of them); a prefix or a name is resolved
        # (or refused with a 404) one by one.
        found = {r.id: r for r in store.runs(ids=wanted, predictions=False)}
        records = [found.get(i) or store.get_run(i, predictions=False) for i in wanted]
        traces = data.compare(records, metric, split, x=x, max_points=max_points)
        return {"metric": metric, "split": split, "x": x, "series": jsonable(traces)}

    def _records(ids: str, *, predictions: bool = False) -> list[Any]:
        wanted = [i for i in (p.strip() for p in ids.split(",")) if i]
        if not wanted or len(wanted) > 50:
            raise InvalidInputError(
                f"ids must list 1 to 50 run ids separated by commas. Got {ids!r} instead."
            )
        # Exact ids in one read, as /api/compare does; prefixes and names one by one.
        found = {r.id: r for r in store.runs(ids=wanted, predictions=predictions)}
        return [found.get(i) or store.get_run(i, predictions=predictions) for i in wanted]

    @app.get("/api/compare/charts", dependencies=api, tags=["compare"])
    def compare_charts(
        ids: Annotated[str, Query(description="run ids, comma-separated")],
        x: XAxis = "step",
        max_points: MaxPoints = 1000,
    ) -> dict[str, Any]:
        """Every metric of several runs, one chart each, all splits of every run on it."""
        # Snapshots give each chart its no-skill baseline (their labels).
        records = _records(ids, predictions=True)
        charts = hyperparams.compare_charts(records, x=x, max_points=max_points)
        return {"x": x, "charts": jsonable(charts)}

    @app.get("/api/compare/config", dependencies=api, tags=["compare"])
    def compare_config(
        ids: Annotated[str, Query(description="run ids, comma-separated")],
        all_keys: Annotated[bool, Query(alias="all")] = False,
    ) -> dict[str, Any]:
        """The runs' config keys side by side: only those that differ unless ``all=true``."""
        out: dict[str, Any] = jsonable(
            hyperparams.config_diff(_records(ids), only_different=not all_keys)
        )
        return out

    @app.get("/api/compare/stats", dependencies=api, tags=["compare"])
    def compare_stats(
        ids: Annotated[str, Query(description="run ids, comma-separated; the first is A")],
        split: str = "val",
        lang: str = "en",
        resamples: Annotated[int, Query(ge=100, le=20_000)] = 1000,
    ) -> dict[str, Any]:
        """Significance of every run against the first on ``split``'s latest snapshots:
        values, difference, 95% interval, p-value, test, verdict; and the doctor's word.
        Runs without snapshots give no pairs and the reason (the page still draws)."""
        from fitscope.cli.compare import runner_up_pair
        from fitscope.doctor.comparison import comparison_findings
        from fitscope.stats.compare import compare as compare_runs

        records = _records(ids, predictions=True)
        if len(records) < 2:
            return {"pairs": [], "findings": [], "reason": "Pick at least two runs."}
        try:
            pairs = compare_runs(*records, split=split, lang=lang, n_resamples=resamples)
        except InvalidInputError as error:
            return {"pairs": [], "findings": [], "reason": str(error)}
        second = runner_up_pair(pairs, store, split=split, lang=lang, n_resamples=resamples)
        found = comparison_findings(pairs, runner_up=second, lang=lang)
        return {
            "pairs": jsonable(pairs),
            "findings": jsonable([f.to_dict() for f in found]),
            "reason": None,
        }

    @app.get("/api/hyperparams", dependencies=api, tags=["compare"])
    def hyperparameters(
        metric: str = "loss", project: str | None = None, tag: str | None = None
    ) -> dict[str, Any]:
        """Every run's flat config and best validation ``metric`` (the hyperparameter view)."""
        # Only the validation series of ``metric`` and no snapshots: three statements for any
        # number of runs. The baseline needs labels: the newest of the first five runs that
        # logged a snapshot gives them.
        wanted = [(split, metric) for split in data.VAL_SPLITS]
        records = store.runs(
            project=project, tags=[tag] if tag else None, series=wanted, predictions=False
        )
        baseline = None
        for r in records[:5]:
            full = store.get_run(r.id, series=wanted, predictions=True)
            if full.predictions():
                baseline = data.baselines(full).get(metric)
                break
        rows = hyperparams.hyperparameter_rows(records, metric, baseline=baseline)
        out: dict[str, Any] = jsonable(rows)
        return out

    from fitscope.web.ingest import add_ingest

    add_ingest(app, store, token)  # POST /api/ingest: runs logged elsewhere (token required)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        # A fixed allow-list: no path from the request ever reaches the file system.
        if name == "plotly.min.js":
            return FileResponse(plotly_js_path(), media_type="text/javascript")
        if name in _SHARED_FILES:
            return FileResponse(SHARED_DIR / name, media_type=_MEDIA[Path(name).suffix])
        if name not in _STATIC_FILES:
            raise HTTPException(404, f"name must be a dashboard file. Got {name!r} instead.")
        return FileResponse(STATIC_DIR / name, media_type=_MEDIA[Path(name).suffix])

    return app
