"""The chat widget in a real browser: the demo page's floating button opens the chat in a panel.

Outside CI the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import re
import sqlite3

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect

from tests.chat_page import BOT, ask, open_widget
from tests.conftest import accessibility_problems, require_chromium, shot

require_chromium()


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
