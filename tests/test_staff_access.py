"""Who may reach the staff console: the login, the gate on every staff route, the password file.

The real app over the session index (the `app` fixture of conftest.py).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

from assistant.web.staff_auth import COOKIE, PASSWORD_ENV, staff_password
from tests.staff_app import PASSWORD, login

ANONYMOUS_CALLS = [
    ("GET", "staff"), ("GET", "staff/"), ("GET", "staff/config"), ("GET", "staff/gradio_api/info"),
    ("GET", "staff/gradio_api/info?all_endpoints=true"), ("GET", "staff/gradio_api/openapi.json"),
    ("POST", "staff/gradio_api/queue/join"), ("GET", "staff/gradio_api/queue/data?session_hash=x"),
    ("POST", "staff/gradio_api/call/v2/anything"), ("POST", "staff/gradio_api/run/predict"),
    ("POST", "staff/gradio_api/upload"), ("GET", "staff/gradio_api/heartbeat/x"), ("POST", "staff/gradio_api/reset"),
    ("GET", "staff/gradio_api/file=data/chatlog.sqlite3"), ("GET", "staff/theme.css"),
    ("GET", "staff/export.csv"),
]


@pytest.mark.parametrize("method, path", ANONYMOUS_CALLS)
def test_staff_routes_refuse_anonymous_calls(app, method, path):
    body = {"data": [], "fn_index": 0, "session_hash": "x"} if method == "POST" else None
    for cookie in ({}, {COOKIE: "forged-token"}):
        response = httpx.request(method, app.url + path, json=body, cookies=cookie, follow_redirects=False)
        assert response.status_code == 401, (path, response.status_code)
        assert "named_endpoints" not in response.text and "review-table" not in response.text


def test_pages_redirect_to_login_and_a_wrong_password_is_refused(app):
    page = httpx.get(app.staff, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"
    form = httpx.get(app.url + "staff/login")
    assert form.status_code == 200 and 'type="password"' in form.text
    assert "default-src 'none'" in form.headers["content-security-policy"]
    wrong = httpx.post(app.url + "staff/login", data={"password": "guess"})
    assert wrong.status_code == 401 and COOKIE not in wrong.cookies
    wrong_page = httpx.post(app.url + "staff/login", data={"password": "guess"}, headers={"Accept": "text/html"})
    assert wrong_page.status_code == 401 and "Wrong password" in wrong_page.text


def test_gradio_client_is_refused_without_the_password(app):
    with pytest.raises(AuthenticationError):
        Client(app.staff, verbose=False)
    with pytest.raises(AuthenticationError):
        Client(app.staff, auth=("staff", "wrong password"), verbose=False)
    # with the password it connects, and still nothing is callable by name: every staff event is private
    staff = Client(app.staff, auth=("staff", PASSWORD), verbose=False)
    assert staff.view_api(print_info=False, return_format="dict") == {"named_endpoints": {}, "unnamed_endpoints": {}}


def test_logged_in_staff_get_the_console_and_logout_ends_it(app):
    client = login(app)
    cookie = client.cookies.jar
    assert any(c.name == COOKIE and c.path == "/staff" and c.has_nonstandard_attr("HttpOnly") for c in cookie)
    assert client.get("/staff/config").status_code == 200
    assert "review-table" in client.get("/staff/config").text
    assert client.get("/staff/logout").status_code == 303
    assert client.get("/staff/config").status_code == 401


def test_visitor_app_exposes_nothing_of_the_staff(app):
    info = httpx.get(app.url + "gradio_api/info").json()
    assert list(info["named_endpoints"]) == ["/chat"]
    config = httpx.get(app.url + "config").text
    assert "review-table" not in config and "upload-file" not in config
    log_file = app.chatlog.path.resolve()
    for path in (f"gradio_api/file={log_file}", "gradio_api/file=data/chatlog.sqlite3", "staff_password"):
        assert httpx.get(app.url + path).status_code in (403, 404)


def test_password_is_generated_once_with_0600(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    password, where = staff_password(tmp_path)
    assert len(password) >= 20 and Path(where) == tmp_path / "staff_password"
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600
    assert str((tmp_path / "staff_password").resolve()) in capsys.readouterr().out
    assert staff_password(tmp_path) == (password, where)  # kept across restarts
    monkeypatch.setenv(PASSWORD_ENV, "from the environment")
    assert staff_password(tmp_path) == ("from the environment", f"${PASSWORD_ENV}")
