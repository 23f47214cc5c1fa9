"""Driving the visitor chat in Playwright: open it, ask a question and time the answer.

The measured question-to-answer times go to test-artifacts/timings.json (gitignored).
"""
from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect

from tests.conftest import ARTIFACTS

BOT = '[data-testid="bot"]'
TIMINGS: dict[str, float] = {}


def open_chat(page: Page, url: str) -> None:
    page.goto(url, wait_until="load")
    expect(page.locator(BOT).first).to_contain_text("Sustainable Cashmere Union", timeout=30_000)


def open_widget(page: Page, url: str):
    """The widget's demo page with its panel open; returns the chat's frame."""
    page.goto(url + "widget/demo.html", wait_until="load")
    page.locator("#ask-us-button").click()
    frame = page.frame_locator("#ask-us-frame")
    expect(frame.locator(BOT).first).to_contain_text("Sustainable Cashmere Union", timeout=30_000)
    return frame


def ask(page: Page, question: str, expected: str, name: str, root=None) -> float:
    """Type a question, press Enter, wait for the answer; return (and record) the seconds it took."""
    root = root or page
    replies = root.locator(BOT)
    before = replies.count()
    root.locator("#question textarea").fill(question)
    started = time.perf_counter()
    root.locator("#question textarea").press("Enter")
    expect(replies.nth(before)).to_contain_text(expected, timeout=30_000)
    seconds = time.perf_counter() - started
    TIMINGS[name] = round(seconds, 3)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")
    return seconds
