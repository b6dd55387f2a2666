"""Limits that protect the service: per-client rate limits (429 with Retry-After) and reading a body out."""

import math
import threading
import time

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 64 * 1024 * 1024  # read (and drop) at most this much of a refused body, so the client hears why


class Limiter:
    """A token bucket per client: `per_minute` requests at once, then one every 60/per_minute seconds."""

    def __init__(self, per_minute: int) -> None:
        self.capacity, self.rate = float(per_minute), per_minute / 60
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Take one request for client: 0 when allowed, else the whole seconds to wait before the next."""
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > 100_000:  # forget clients whose bucket is full again
                    self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * self.rate < 1}
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))


def client_of(scope: Scope) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def too_many(wait: int, what: str) -> JSONResponse:
    return JSONResponse({"detail": f"too many {what}: try again in {wait} s", "errors": []}, status_code=429,
                        headers={"retry-after": str(wait)})  # fmt: skip


class RateLimit:
    """Questions (POST /ask, the chat's form and ?q=) and feedback, limited per client."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app, self.limiter = app, Limiter(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_question(scope) and (wait := self.limiter.wait(client_of(scope))):
            await drain(receive)
            return await too_many(wait, "questions")(scope, receive, send)
        await self.app(scope, receive, send)


def _is_question(scope: Scope) -> bool:
    path, method = scope["path"], scope["method"]
    if method == "POST":
        return path in ("/ask", "/", "/feedback")
    return method == "GET" and path == "/" and b"q=" in scope.get("query_string", b"")


async def drain(receive: Receive, most: int = DRAIN_BYTES) -> None:
    """Read the rest of a request's body and drop it: a client that sends a whole body before it reads the answer
    (Python's urllib, with Connection: close) otherwise finds the connection reset instead of the response."""
    seen = 0
    while seen <= most:
        message: Message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def drain_request(request: Request) -> None:
    """drain, for a route: the rest of what the request's body stream has not read yet (nothing, if it has)."""
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > DRAIN_BYTES:
                return
    except (RuntimeError, ClientDisconnect):  # read to its end already, or the client went away
        return
