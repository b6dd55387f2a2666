"""The web app: create_app(settings) loads the engine once (lifespan) and wires routes, limits and headers."""

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.embed import Embedder
from index.layout import IndexUnusable
from server.settings import Settings
from server.web import library_pages, library_routes
from server.web.limits import DRAIN_BYTES, RateLimit, drain
from server.web.live import LiveQA
from server.web.pages import error_page, render, wants_html
from server.web.routes import VERSION_HEADER, answer_json, router
from server.web.schemas import AskRequest
from server.web.service import open_service

log = logging.getLogger("verbatim.access")
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
_HEADER_BYTES = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class BodyLimit:
    """Refuse request bodies over a size with 413, whether or not they declare their length (uploads, on the paths
    given, may be larger). The rest of the body is read first (up to a bound), so that a client which sends all of
    it before reading the answer gets the 413 rather than a reset connection."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.larger.get(scope["path"], self.limit) if scope["method"] == "POST" else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            if int(declared) <= DRAIN_BYTES:
                await drain(receive)
            return await self._refuse(scope, send, limit)
        seen, ended = 0, False

        async def counted() -> Message:
            nonlocal seen, ended
            message = await receive()
            seen += len(message.get("body", b""))
            ended = message["type"] != "http.request" or not message.get("more_body")
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            if not ended:
                await drain(receive, DRAIN_BYTES - seen)
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        response = JSONResponse({"detail": f"request body over {limit} bytes"}, status_code=413)
        await response(scope, _nothing, send)


class HeadersAndLog:
    """Security headers on every response, and one JSON access-log line per request (no question text)."""

    def __init__(self, app: ASGIApp, log_queries: bool) -> None:
        self.app, self.log_queries = app, log_queries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        began, status = time.perf_counter(), 0

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *_HEADER_BYTES]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            status = status or 500  # Starlette's outermost middleware answers it, with the handler below
            raise
        finally:
            entry = {"method": scope["method"], "path": scope["path"], "status": status,
                     "ms": round(1000 * (time.perf_counter() - began), 1)}  # fmt: skip
            if self.log_queries and scope.get("query_string"):
                entry["query"] = scope["query_string"].decode("latin-1")
            log.info(json.dumps(entry))


class DirectAsk:
    """POST /ask with a JSON body that is a valid question, answered without FastAPI's routing and request handling,
    which cost about 1 ms a request here, a sixth of an answer (bench/latency.py). Every other request, and every
    one it cannot answer plainly (a body to refuse, an unusable index), goes on to the app with the same body, and
    the app answers it as documented. Unexpected errors reach the app's handler for them, as from any route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/ask"
                and _media_type(scope) == b"application/json"):  # fmt: skip
            return await self.app(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            state = scope["app"].state
            qa = state.live.current()
            answer = answer_json(qa, AskRequest.model_validate_json(body), state.abstained)
        except (ValidationError, IndexUnusable):
            return await self.app(scope, _replay(body, receive), send)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode()),
                   (VERSION_HEADER.encode(), qa.store.path.name.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


def _media_type(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return b""


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the client sends next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


class _TooLarge(Exception):
    pass


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _problem(request: Request, status: int, detail: str, errors: list | None = None) -> Response:
    if wants_html(request):
        return error_page(request, status, detail)
    return JSONResponse({"detail": detail, "errors": errors or []}, status_code=status)


_PLAIN = {"json_invalid": "is not valid JSON", "string_too_short": "must not be empty or blank",
          "missing": "is required", "extra_forbidden": "is not a field of this request"}  # fmt: skip


def _field(error: dict) -> str:
    if error.get("type") == "json_invalid":
        return "request body is not valid JSON"
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "request body"
    return f"{where}: {_PLAIN.get(error.get('type', ''), error.get('msg', 'is invalid'))}"


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in error.errors()]  # fmt: skip
        detail = "; ".join(_field(e) for e in errors) or "invalid request"
        if request.url.path == "/":  # the chat shows what is wrong above its form
            return render(request, "chat.html", 422, turns=[], history=[], error=detail)
        return _problem(request, 422, detail, errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400:  # FastAPI's "error parsing the body": bytes that aren't UTF-8 JSON
            return _problem(request, 422, "request body is not valid UTF-8 JSON")
        response = _problem(request, error.status_code, str(error.detail))
        response.headers.update(error.headers or {})
        if error.status_code == 405:  # Allow lists every method of the path, not just the first route's
            methods = {m for r in request.app.routes if isinstance(r, APIRoute) and r.path_regex.match(request.url.path)
                       for m in r.methods}  # fmt: skip
            response.headers["allow"] = ", ".join(sorted(methods))
        return response

    @app.exception_handler(IndexUnusable)
    async def unusable(request: Request, error: IndexUnusable) -> Response:
        return _problem(request, 503, str(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        logging.getLogger("verbatim").exception("unexpected error on %s", request.url.path)
        response = _problem(request, 500, "something went wrong on our side; the error was logged")
        response.headers.update(SECURITY_HEADERS)  # answered outside HeadersAndLog, by Starlette's error middleware
        return response


def create_app(settings: Settings, embedder: Embedder | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live = LiveQA(settings, embedder)
        app.state.library, app.state.abstained = open_service(settings, app.state.live, embedder)
        yield
        if app.state.library is not None:
            app.state.library.rebuilds.close()
            app.state.library.db.close()

    app = FastAPI(title="Verbatim", version="0.1.0", lifespan=lifespan,
                  description="Answers in the documents' own words: every sentence copied from a source, cited.")  # fmt: skip
    app.state.settings = settings
    app.state.library = app.state.abstained = None
    app.include_router(router)
    if settings.admin_token:  # the document library; without a token its paths are 404
        app.include_router(library_routes.router)
        app.include_router(library_pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    _add_handlers(app)

    app.add_middleware(DirectAsk)
    if settings.ask_per_minute:
        app.add_middleware(RateLimit, per_minute=settings.ask_per_minute)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["content-type"])  # fmt: skip
    upload = settings.upload_max_files * (settings.upload_max_bytes + 4096) + 65536  # files, their headers, the form
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, larger={"/api/documents": upload,
                                                                         "/library/upload": upload})  # fmt: skip
    app.add_middleware(HeadersAndLog, log_queries=settings.log_questions)
    return app
