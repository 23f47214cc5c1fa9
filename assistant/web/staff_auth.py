"""Staff access: one shared password, session cookies, and the gate in front of everything under /staff.

One shared staff password, from $ASSISTANT_STAFF_PASSWORD or the file
`staff_password` in the data folder; when neither exists the first start
generates one, writes it there with 0600 permissions and prints where it is.
Logging in at /staff/login sets an HttpOnly, SameSite=Strict session cookie
(path /staff). Two independent locks keep visitors out:
  * `StaffGate`, an ASGI middleware in front of the whole app, refuses every
    /staff/... request without a valid session (the login page aside): pages
    redirect to the login, everything else (config, /gradio_api/info, call,
    queue/join, upload, file=...) gets 401. This also covers the Gradio routes
    that Gradio itself leaves open (heartbeat, stream, reset, ...).
  * the staff Gradio app is mounted with `auth_dependency` (`staff_ui.mount_staff`), so
    Gradio's own login check on its API routes fails for anonymous calls as well.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

log = logging.getLogger(__name__)

PASSWORD_ENV = "ASSISTANT_STAFF_PASSWORD"
PASSWORD_FILE = "staff_password"
COOKIE = "cashmere_staff"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5  # wrong passwords per client address within FAILURE_WINDOW
FAILURE_WINDOW = 300
STAFF_PATH = "/staff"


def staff_password(data_dir: str | os.PathLike[str]) -> tuple[str, str]:
    """(password, where it comes from). Generates and stores one (0600) on first start."""
    configured = os.environ.get(PASSWORD_ENV, "").strip()
    if configured:
        return configured, f"${PASSWORD_ENV}"
    path = Path(data_dir) / PASSWORD_FILE
    if path.is_file():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            log.warning("%s was readable by others: permissions set to 0600", path)
        password = path.read_text(encoding="utf-8").strip()
        if password:
            return password, str(path)
        path.unlink()  # an empty file is no password: make a new one
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    print(f"Staff console: a password was generated and stored in {path.resolve()} (mode 0600). "
          f"Set ${PASSWORD_ENV} to choose your own.", flush=True)
    return password, str(path)


class StaffAuth:
    """Checks the password (constant time), hands out session tokens, slows down guessing."""

    def __init__(self, password: str) -> None:
        if not password:
            raise ValueError("the staff password must not be empty")
        self._digest = hashlib.sha256(password.encode("utf-8")).digest()
        self._sessions: dict[str, float] = {}
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            recent = self._failures[client]
            while recent and recent[0] < time.time() - FAILURE_WINDOW:
                recent.popleft()
            return len(recent) >= MAX_FAILURES

    def login(self, password: str, client: str = "?") -> str | None:
        """A new session token for the right password; None (and the failure counted) otherwise."""
        given = hashlib.sha256((password or "").encode("utf-8")).digest()
        if not hmac.compare_digest(given, self._digest):
            with self._lock:
                self._failures[client].append(time.time())
            log.warning("staff login failed from %s", client)
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sessions = {t: until for t, until in self._sessions.items() if until > now}
            self._sessions[token] = now + SESSION_SECONDS
            self._failures.pop(client, None)
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            until = self._sessions.get(token)
            return until is not None and until > time.time()

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)


def _cookie_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, token = part.strip().partition("=")
                if key == COOKIE:
                    return token
    return None


class StaffGate:
    """ASGI middleware: nothing under the staff path is served without a staff session."""

    def __init__(self, app: Any, auth: StaffAuth, prefix: str = STAFF_PATH) -> None:
        self.app = app
        self.auth = auth
        self.prefix = prefix.rstrip("/")
        self.public = {f"{self.prefix}/login", f"{self.prefix}/login/", f"{self.prefix}/logout"}

    def guards(self, path: str) -> bool:
        return (path == self.prefix or path.startswith(self.prefix + "/")) and path not in self.public

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.guards(scope.get("path", "")):
            headers = scope.get("headers") or []
            if not self.auth.valid(_cookie_token(headers)):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                accept = next((v.decode("latin-1") for k, v in headers if k == b"accept"), "")
                response: Response
                if scope.get("method") in ("GET", "HEAD") and "text/html" in accept:
                    response = RedirectResponse(f"{self.prefix}/login", status_code=303)
                else:
                    response = JSONResponse({"detail": "Staff login required."}, status_code=401)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Staff login · Sustainable Cashmere Union</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #fffbeb; margin: 0; }}
main {{ max-width: 360px; margin: 12vh auto; background: #fff; padding: 28px; border-radius: 12px;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.25rem; margin: 0 0 4px; }} p {{ color: #555; margin: 0 0 18px; }}
label {{ display: block; font-weight: 600; margin-bottom: 6px; }}
input {{ width: 100%; box-sizing: border-box; padding: 10px; font-size: 1rem; border: 1px solid #ccc;
        border-radius: 8px; }}
button {{ margin-top: 14px; width: 100%; padding: 10px; font-size: 1rem; border: 0; border-radius: 8px;
         background: #d97706; color: #fff; cursor: pointer; }}
.error {{ color: #b91c1c; font-weight: 600; }}
</style></head>
<body><main>
<h1>Staff console</h1><p>Sustainable Cashmere Union assistant</p>
{message}
<form method="post" action="{action}">
<input type="hidden" name="username" value="staff">
<label for="password">Staff password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button id="login" type="submit">Log in</button>
</form></main></body></html>
"""
LOGIN_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def login_page(prefix: str, message: str = "", status_code: int = 200) -> HTMLResponse:
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(LOGIN_PAGE.format(message=note, action=html.escape(f"{prefix}/login")),
                        status_code=status_code, headers=LOGIN_HEADERS)


def add_staff_login(app: FastAPI, auth: StaffAuth, prefix: str) -> Callable[[Request], str | None]:
    """The login and logout routes and the gate under `prefix`; returns the dependency that names
    the staff user of a request (None without a session), for Gradio's own check."""

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "?"

    @app.get(f"{prefix}/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        if auth.valid(request.cookies.get(COOKIE)):
            return RedirectResponse(f"{prefix}/", status_code=303)
        return login_page(prefix)

    @app.post(f"{prefix}/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        wants_page = "text/html" in request.headers.get("accept", "")
        client = client_of(request)
        if auth.blocked(client):
            message = "Too many wrong passwords: wait a few minutes and try again."
            return login_page(prefix, message, 429) if wants_page else JSONResponse({"detail": message}, 429)
        form = await request.form()
        token = auth.login(str(form.get("password") or ""), client)
        if token is None:
            message = "Wrong password."
            return login_page(prefix, message, 401) if wants_page else JSONResponse({"detail": message}, 401)
        response = (RedirectResponse(f"{prefix}/", status_code=303) if wants_page
                    else JSONResponse({"success": True}))
        response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, path=prefix, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.get(f"{prefix}/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        auth.logout(request.cookies.get(COOKIE))
        response = RedirectResponse(f"{prefix}/login", status_code=303)
        response.delete_cookie(COOKIE, path=prefix)
        return response

    app.add_middleware(StaffGate, auth=auth, prefix=prefix)

    def staff_user(request: Request) -> str | None:
        return "staff" if auth.valid(request.cookies.get(COOKIE)) else None

    return staff_user
