"""The chat widget in a real browser: the demo page's floating button opens the chat in a panel.

Outside CI the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect

from assistant import rules
from tests.chat_page import BOT, ask, open_widget
from tests.conftest import accessibility_problems, free_port, require_chromium, shot

require_chromium()

CHAT = rules.load("messages")["chat"]


def texts(language: str) -> dict[str, str]:
    return CHAT if language == "en" else CHAT[language]


def test_widget_with_its_panel_open_passes_axe(page, server):
    open_widget(page, server.url)
    inside = page.locator("#ask-us-frame").element_handle().content_frame()
    assert accessibility_problems(page) == [] and accessibility_problems(inside) == []


def test_widget_demo_page_answers(page, server, chatlog):
    frame = open_widget(page, server.url)
    expect(frame.locator("#chat-title")).to_be_hidden()  # the panel's own bar names the chat
    question = "When was AVSF founded? (asked in the widget)"
    ask(page, question, "1977", "widget_avsf", root=frame)
    shot(page, "06-widget-demo")
    expect(page.get_by_role("button", name=re.compile("close", re.I))).to_have_count(1)  # one close control
    frame.locator("#question textarea").press("Escape")  # the focus is in the chat
    expect(page.locator("#ask-us-panel")).to_be_hidden()
    assert chatlog.flush()
    with sqlite3.connect(chatlog.path) as db:
        assert db.execute("SELECT channel FROM turns WHERE question = ?", (question,)).fetchall() == [("widget",)]


def test_widget_on_a_phone_fills_the_screen_and_keeps_the_conversation_over_a_reload(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    frame = open_widget(page, server.url)
    box = page.locator("#ask-us-panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    ask(page, "What is NAMAC?", "National Association", "widget_phone", root=frame)
    shot(page, "06-widget-phone")
    page.reload()
    page.locator("#ask-us-button").click()
    expect(frame.locator(BOT).nth(1)).to_contain_text("National Association", timeout=30_000)
    ask(page, "when was it reorganized?", "1992", "widget_after_reload", root=frame)  # its follow-ups too
    context.close()


class UnionSite:
    """The union's own site: pages with the snippet, served on another port, so another origin than the chat's
    (on this machine: Chromium lets no other page reach a loopback address)."""

    def __init__(self) -> None:
        pages: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path, b"")
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.pages = pages
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page_with_widget(self, chat_url: str, lang: str | None, script_url: str | None = None) -> str:
        """The address of a page in `lang` (none: no lang attribute) with the snippet for `chat_url`."""
        opening = f'<html lang="{lang}">' if lang is not None else "<html>"
        script = script_url or chat_url + "widget/ask-us.js"
        path = f"/page-{len(self.pages)}.html"
        self.pages[path] = (f'<!doctype html>{opening}<head><meta charset="utf-8"><title>Union</title></head><body>'
                            f'<h1>Sustainable Cashmere Union</h1><script src="{script}" data-chat-url="{chat_url}" '
                            f'defer></script></body></html>').encode()
        return self.url + path[1:]


@pytest.fixture(scope="module")
def site():
    running = UnionSite()
    yield running
    running.server.shutdown()


@pytest.mark.parametrize("lang, locale, language", [
    ("fr", "en-US", "fr"),  # the page's language wins over the browser's
    (None, "fr-FR", "fr"),  # a page that names none: the browser's
    ("en", "de-DE", "en"),
    ("it", "es-ES", "es"),  # a page in a language the chat lacks: the browser's
    ("mn", "en-US", "mn"),
])
def test_the_widget_speaks_its_host_page_language_else_the_browser_one(browser, server, site, lang, locale,
                                                                       language):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(site.page_with_widget(server.url, lang), wait_until="load")
    said = texts(language)
    expect(page.locator("#ask-us-button")).to_have_text(said["widget_button"])
    expect(page.locator("#ask-us-close")).to_have_attribute("aria-label", said["widget_close"])
    context.close()


def test_a_french_host_page_opens_the_widget_and_its_chat_in_french(browser, server, site):
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(site.page_with_widget(server.url, "fr"), wait_until="load")
    french = texts("fr")
    page.get_by_role("button", name=french["widget_button"]).click()
    expect(page.get_by_role("dialog", name=french["title"])).to_be_visible()
    expect(page.locator("#ask-us-bar")).to_contain_text(french["title"])
    expect(page.locator("#ask-us-frame")).to_have_attribute("title", french["widget_frame_title"])
    frame = page.frame_locator("#ask-us-frame")
    expect(frame.locator(BOT).first).to_contain_text("Bonjour ! Je réponds aux questions", timeout=30_000)
    expect(frame.locator("#question textarea")).to_have_attribute("placeholder", french["question_placeholder"])
    shot(page, "06-widget-french-host-page")
    page.get_by_role("button", name=french["widget_close"]).click()
    expect(page.locator("#ask-us-panel")).to_be_hidden()
    context.close()


def test_the_widget_still_opens_in_english_when_the_chat_cannot_be_reached(page, server, site):
    unreachable = f"http://127.0.0.1:{free_port()}/"  # nothing listens there; the script is still at hand
    page.goto(site.page_with_widget(unreachable, "fr", script_url=server.url + "widget/ask-us.js"), wait_until="load")
    expect(page.locator("#ask-us-button")).to_have_text(CHAT["widget_button"], timeout=10_000)  # the built-in
    page.locator("#ask-us-button").click()
    expect(page.locator("#ask-us-panel")).to_be_visible()
    expect(page.locator("#ask-us-close")).to_have_attribute("aria-label", CHAT["widget_close"])
