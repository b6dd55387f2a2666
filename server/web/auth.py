"""Who may use the library: the admin token, once, for a signed session cookie; CSRF tokens; Bearer for scripts."""

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

from server.settings import Settings
from server.web.db import Database
from server.web.limits import Limiter

log = logging.getLogger("verbatim")
SESSION = "verbatim_session"
SIGNIN = "verbatim_signin"  # before sign-in: what the sign-in form's CSRF token is bound to
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Owner:
    """A request the library trusts: a script with the token (bearer) or a signed-in browser (its session)."""

    session: str | None  # the session's nonce; None for a bearer


class Auth:
    """Sessions are signed (HMAC with a key derived from the token), so any server process checks them without
    shared state, and changing the token ends them all; a signed-out session is remembered until it expires."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._token = (settings.admin_token or "").encode()
        self._key = hashlib.sha256(b"verbatim library session\0" + self._token).digest()
        self.seconds = int(settings.session_hours * 3600)
        self.db = db
        self.signins = Limiter(settings.signin_per_minute)
        self._failures: dict[str, tuple[int, float]] = {}

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token_ok(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token)

    def bearer_ok(self, header: str | None) -> bool:
        return bool(header) and hmac.compare_digest(header.encode(), b"Bearer " + self._token)

    def new_session(self) -> str:
        expires, nonce = int(time.time()) + self.seconds, secrets.token_urlsafe(18)
        return f"{expires}.{nonce}.{self._sign(f'session:{expires}.{nonce}')}"

    def session(self, request: Request) -> str | None:
        """The nonce of the request's valid, unexpired, not signed-out session; None without one."""
        expires, nonce = self._signed(request.cookies.get(SESSION, ""), "session")
        if nonce is None or expires < time.time():
            return None
        if self.db.read("SELECT 1 FROM signouts WHERE nonce = ?", (nonce,)):
            return None
        return nonce

    def _signed(self, cookie: str, purpose: str) -> tuple[int, str | None]:
        expires, _, rest = cookie.partition(".")
        nonce, _, signature = rest.partition(".")
        if not expires.isdigit() or not nonce or not hmac.compare_digest(
            signature.encode(), self._sign(f"{purpose}:{expires}.{nonce}").encode()
        ):
            return 0, None
        return int(expires), nonce

    def sign_out(self, nonce: str) -> None:
        self.db.write("DELETE FROM signouts WHERE expires < ?", (time.time(),))
        self.db.write_now("INSERT OR IGNORE INTO signouts (nonce, expires) VALUES (?, ?)",
                          (nonce, time.time() + self.seconds))  # fmt: skip

    def csrf(self, nonce: str) -> str:
        return self._sign(f"csrf:{nonce}")

    def csrf_ok(self, nonce: str | None, value: str | None) -> bool:
        return bool(nonce and value) and hmac.compare_digest(value.encode(), self.csrf(nonce).encode())

    def signin_nonce(self, request: Request) -> tuple[str, str | None]:
        """The sign-in form's nonce, and a new cookie to set when the browser has none yet."""
        expires, nonce = self._signed(request.cookies.get(SIGNIN, ""), "signin")
        if nonce is not None and expires > time.time():
            return nonce, None
        expires, nonce = int(time.time()) + 3600, secrets.token_urlsafe(18)
        return nonce, f"{expires}.{nonce}.{self._sign(f'signin:{expires}.{nonce}')}"

    def signin_csrf_ok(self, request: Request, value: str | None) -> bool:
        expires, nonce = self._signed(request.cookies.get(SIGNIN, ""), "signin")
        return nonce is not None and expires > time.time() and self.csrf_ok(nonce, value)

    def failed(self, client: str) -> float:
        """Note a failed sign-in (logged); the seconds to hold its answer back: 0.5 s, doubling each time in a
        row, at most 8 s."""
        count, last = self._failures.get(client, (0, 0.0))
        count = count + 1 if time.monotonic() - last < 900 else 1
        self._failures[client] = (count, time.monotonic())
        log.warning("failed library sign-in from %s (%d in a row)", client, count)
        return min(0.5 * 2 ** (count - 1), 8.0)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
        log.info("library sign-in from %s", client)

    def owner(self, request: Request, csrf: str | None = None) -> Owner:
        """The API's check: a Bearer token, or a session whose CSRF token comes along for anything but a read;
        401 (403 for a missing CSRF token) otherwise."""
        if self.bearer_ok(request.headers.get("authorization")):
            return Owner(None)
        nonce = self.session(request)
        if nonce is None:
            raise HTTPException(401, "a valid `Authorization: Bearer <token>` header is required",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        if request.method not in ("GET", "HEAD") and not self.csrf_ok(nonce, csrf or request.headers.get(CSRF_HEADER)):
            raise HTTPException(403, "the form's security token is missing or wrong: reload the page and try again")
        return Owner(nonce)


def set_cookie(response: object, request: Request, name: str, value: str, seconds: int) -> None:
    """HttpOnly, SameSite=Strict, Secure when served over HTTPS, expiring."""
    response.set_cookie(name, value, max_age=seconds, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")  # fmt: skip
