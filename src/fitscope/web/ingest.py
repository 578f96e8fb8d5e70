"""The dashboard app's write side: clients send runs over HTTP (``fitscope.init(store=URL)``).

``POST /api/ingest`` takes ``{"batches": [...]}`` (gzip allowed) and stores each batch through
the app's :class:`~fitscope.track.Store` with :func:`fitscope.track.ingest.apply_batch`; it
answers 200 with one result per batch, or 422 when some batch was refused (the others are
stored; each refused one carries the library's error). ``GET /api/ingest/runs/{id}`` gives a
client a run back exactly (resume, ``run.summary``).

Writes always need the token, even on loopback: a server started without one refuses them
with 403. Request bodies are limited (:data:`MAX_BODY_BYTES` as sent, :data:`MAX_INFLATED_BYTES`
once un-gzipped) by a small ASGI middleware, since neither FastAPI nor uvicorn limits them.
"""

from __future__ import annotations

import hmac
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from fitscope.errors import FitscopeError, StoreError
from fitscope.track.ingest import apply_batch, export_run
from fitscope.track.store import Store

__all__ = ["MAX_BODY_BYTES", "MAX_INFLATED_BYTES", "BodyLimit", "add_ingest"]

#: Largest request body accepted as sent (the client sends at most 8 MiB before gzip).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Largest body accepted after un-gzipping (a small gzip bomb stops here).
MAX_INFLATED_BYTES = 64 * 1024 * 1024

# Names are only bounded here: the store's own rules (track/_limits.py: length, NUL, lone
# surrogates) are applied per batch by apply_batch, so one bad batch is refused with run.log()'s
# wording while the other batches of the same request still land.
Name = Annotated[str, Field(max_length=4096)]
Split = Name
Seconds = Annotated[float, Field(allow_inf_nan=False)]
B64 = Annotated[str, Field(max_length=MAX_INFLATED_BYTES)]  # checked as base64 by apply_batch
Host = Annotated[str, Field(max_length=255)]


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateOp(_Op):
    op: Literal["create"]
    project: Name
    name: Name
    config: dict[str, Any] = {}
    tags: list[Name] = []
    start_time: Seconds
    host: Host | None = None
    pid: int | None = None


class ReopenOp(_Op):
    op: Literal["reopen"]
    config: dict[str, Any] = {}
    host: Host | None = None
    pid: int | None = None


class ConfigOp(_Op):
    op: Literal["config"]
    config: dict[str, Any]


class TagsOp(_Op):
    op: Literal["tags"]
    tags: list[Name]


class PointsOp(_Op):
    op: Literal["points"]
    split: Split
    metric: Name
    steps: B64
    values: B64
    times: B64


class PredictionsOp(_Op):
    op: Literal["predictions"]
    split: Split
    step: Annotated[int, Field(ge=0, lt=2**63)]
    time: Seconds
    y_true: B64
    y_pred: B64
    ids: B64 | None = None


class KeysOp(_Op):
    op: Literal["keys"]
    keys: Annotated[list[tuple[Split, Name, Name]], Field(max_length=100_000)]


class SummaryOp(_Op):
    """The values set on a run's summary, whole (they replace the last ones)."""

    op: Literal["summary"]
    values: Annotated[dict[Name, Any], Field(max_length=100_000)]


class StateOp(_Op):
    op: Literal["state"]
    heartbeat: Seconds | None = None
    status: Literal["finished", "failed", "crashed"] | None = None
    end_time: Seconds | None = None


Op = Annotated[
    CreateOp
    | ReopenOp
    | ConfigOp
    | TagsOp
    | PointsOp
    | PredictionsOp
    | KeysOp
    | SummaryOp
    | StateOp,
    Field(discriminator="op"),
]


class Batch(BaseModel):
    """What one flush of a client's writer produced, for one run."""

    model_config = ConfigDict(extra="forbid")
    run_id: Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,32}$")]
    batch_id: Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{1,64}$")]
    ops: Annotated[list[Op], Field(max_length=100_000)]


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batches: Annotated[list[Batch], Field(max_length=10_000)]


def add_ingest(app: FastAPI, store: Store, token: str | None) -> None:
    """Add the write endpoints (and the body limit) to the dashboard app."""
    app.add_middleware(BodyLimit)

    def write_token(request: Request) -> None:
        if token is None:
            raise HTTPException(
                403,
                "token must be set on the server to accept runs: writes always need one, even "
                "on loopback. Got a server started without --token. Restart it with: fitscope "
                "ui --token SECRET (clients pass token=SECRET or set FITSCOPE_TOKEN).",
            )
        given = request.headers.get("x-fitscope-token") or request.query_params.get("token")
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            got = "no token" if given is None else "a wrong token"
            raise HTTPException(
                401,
                f"token must be sent as the X-Fitscope-Token header. Got {got} instead. "
                "Pass fitscope.init(..., token=SECRET) or set FITSCOPE_TOKEN.",
            )

    @app.post("/api/ingest", dependencies=[Depends(write_token)], tags=["ingest"])
    def ingest(body: IngestRequest) -> JSONResponse:
        """Store batches of runs logged elsewhere; one result per batch, in order."""
        results: list[dict[str, Any]] = []
        for batch in body.batches:
            entry: dict[str, Any] = {"batch_id": batch.batch_id, "run_id": batch.run_id}
            try:
                entry["status"] = apply_batch(store, batch.model_dump())
            except StoreError:
                raise  # the database is away: 503, the client tries again later
            except FitscopeError as error:
                entry["status"] = "refused"
                entry["error"] = {"type": type(error).__name__, "message": str(error)}
            results.append(entry)
        refused = sum(1 for r in results if r["status"] == "refused")
        return JSONResponse({"results": results}, status_code=422 if refused else 200)

    @app.get("/api/ingest/runs/{run_id}", dependencies=[Depends(write_token)], tags=["ingest"])
    def export(run_id: str, predictions: bool = False) -> dict[str, Any]:
        """One run exactly as stored (every point, the keys as written, the summary values;
        its prediction snapshots with ``predictions=true``), for a client that reads it back."""
        return export_run(store, run_id, predictions=predictions)

    @app.exception_handler(StoreError)
    async def _store_down(_: Request, error: StoreError) -> JSONResponse:
        return JSONResponse(
            {"error": {"type": type(error).__name__, "message": str(error)}}, status_code=503
        )


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse request bodies over the limits (413) and un-gzip gzip ones.

    Written by hand because Starlette and uvicorn have no request-size limit and no request
    decompression; it reads the body once, so the app behind it sees a plain JSON body.
    """

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        max_bytes: int = MAX_BODY_BYTES,
        max_inflated: int = MAX_INFLATED_BYTES,
    ) -> None:
        self.app, self.max_bytes, self.max_inflated = app, max_bytes, max_inflated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        encoding = headers.get(b"content-encoding", b"identity").decode("latin-1").lower()
        if encoding not in ("identity", "gzip"):
            await _refuse(send, 415, f"Content-Encoding must be gzip or none. Got {encoding!r}.")
            return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _refuse(send, 413, self._too_big(int(length)))
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _refuse(send, 413, self._too_big(len(body)))
                return
        data = bytes(body)
        if encoding == "gzip":
            inflater = zlib.decompressobj(wbits=31)
            try:
                data = inflater.decompress(data, self.max_inflated)
            except zlib.error as error:
                await _refuse(send, 400, f"body must be valid gzip. Got: {error}.")
                return
            if inflater.unconsumed_tail:
                await _refuse(
                    send,
                    413,
                    f"body must inflate to at most {self.max_inflated} bytes. Got more. Send "
                    "fewer batches per request.",
                )
                return
        scope = dict(scope)
        scope["headers"] = [
            (k, v)
            for k, v in scope["headers"]
            if k.lower() not in (b"content-encoding", b"content-length")
        ] + [(b"content-length", str(len(data)).encode())]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}

        await self.app(scope, replay, send)

    def _too_big(self, size: int) -> str:
        return (
            f"body must be at most {self.max_bytes} bytes. Got {size} bytes instead. Send fewer "
            "batches per request."
        )


async def _refuse(send: Send, status: int, message: str) -> None:
    response = JSONResponse({"error": {"type": "HTTPError", "message": message}}, status)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
