"""The chat page in the visitor's language, in a real browser: the browser's language first
(Accept-Language and navigator.language, set by the context's locale), then the question's.

Outside CI the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect

from assistant import rules
from tests.chat_page import BOT, ask, open_chat
from tests.conftest import require_chromium, serve_chat, shot

require_chromium()

CHAT = rules.load("messages")["chat"]
SOURCES_TITLE = rules.load("messages")["sources_title"]
SOURCE_NOTE = rules.load("messages")["source_note"]


def texts(language: str) -> dict[str, str]:
    return CHAT if language == "en" else CHAT[language]


def expect_page_in(page: Page, language: str) -> None:
    """The placeholder, the buttons, the title (the tab's too) and the document's `lang` in that language."""
    said = texts(language)
    expect(page.locator("#question textarea")).to_have_attribute("placeholder", said["question_placeholder"])
    expect(page.locator("#ask-button")).to_have_text(said["ask_button"])
    expect(page.locator("#clear-button")).to_have_text(said["clear_button"])
    expect(page.locator("#chat-title")).to_have_text(said["title"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page).to_have_title(said["title"])


def test_a_french_browser_sees_the_page_in_french_and_an_english_question_turns_it_english(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(server.url, wait_until="load")
    expect(page.locator(BOT).first).to_contain_text("Bonjour ! Je réponds aux questions", timeout=30_000)
    expect_page_in(page, "fr")
    expect(page.locator("#chatbot").get_by_role("button", name="Qu'est-ce que NAMAC ?")).to_be_visible()
    shot(page, "09-french-browser")
    ask(page, "When was AVSF founded?", "1977", "en_in_french_browser")
    expect_page_in(page, "en")  # the replies are English: so is the page now
    # Gradio's own icon buttons keep the browser's language (its frontend's locale), the copy button included
    expect(page.locator("#chatbot").get_by_label("Copier le message").last).to_be_attached()
    expect(page.locator("#chatbot").get_by_label("Je n'aime pas").last).to_be_attached()
    context.close()


def test_a_french_question_in_an_english_browser_gets_french_labels(page, server):
    open_chat(page, server.url)
    expect_page_in(page, "en")
    ask(page, "Quand AVSF a-t-elle été fondée ?", "1977", "fr_in_english_browser")
    answer, sources = page.locator(BOT).nth(1), page.locator(BOT).nth(2)
    expect(answer).to_contain_text("Source : Our partners > AVSF")
    expect(sources).to_contain_text(SOURCES_TITLE["fr"].format(count=3))
    expect_page_in(page, "fr")
    page.locator("#chatbot").get_by_label("Dislike").last.click()  # Gradio's thumbs: the browser's language
    expect(page.locator("#comment")).to_contain_text(CHAT["fr"]["comment_label"])
    expect(page.locator("#comment textarea")).to_have_attribute("placeholder", CHAT["fr"]["comment_placeholder"])
    expect(page.locator("#comment-button")).to_have_text(CHAT["fr"]["comment_button"])
    shot(page, "10-french-question-english-browser")
    page.reload()  # the conversation comes back in its language
    expect(page.locator(BOT).nth(1)).to_contain_text("1977", timeout=30_000)
    expect_page_in(page, "fr")
    page.locator("#clear-button").click()
    expect(page.locator(BOT).first).to_contain_text("Bonjour ! Je réponds aux questions")  # the welcome too


def test_a_german_question_gets_german_sources_and_buttons(page, server):
    open_chat(page, server.url)
    ask(page, "Wann wurde AVSF gegründet?", "1977", "de_in_english_browser")
    expect(page.locator(BOT).nth(1)).to_contain_text("Quelle: Our partners > AVSF")
    expect(page.locator(BOT).nth(2)).to_contain_text("Quellen (")
    expect_page_in(page, "de")


def test_a_mongolian_browser_on_a_phone_sees_mongolian_though_gradio_has_no_mongolian(browser, server):
    context = browser.new_context(locale="mn-MN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(server.url, wait_until="load")
    expect(page.locator(BOT).first).to_contain_text("Сайн байна уу!", timeout=30_000)
    expect_page_in(page, "mn")  # sent by the server: Gradio's own i18n would show English here
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ask_button = page.locator("#ask-button").bounding_box()
    assert ask_button["x"] + ask_button["width"] <= 390
    shot(page, "11-phone-mongolian-browser")
    context.close()


def test_a_french_visitor_reads_the_french_translation_its_source_and_french_labels(browser, translated_bot,
                                                                                     chatlog):
    running = serve_chat(translated_bot, chatlog)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(running.url, wait_until="load")
        expect(page.locator(BOT).first).to_contain_text("Bonjour ! Je réponds aux questions", timeout=30_000)
        ask(page, "Combien de familles font partie du réseau ?", "670 familles", "fr_translation")
        answer, sources = page.locator(BOT).nth(1), page.locator(BOT).nth(2)
        expect(answer).to_contain_text("Il forme désormais un réseau de 670 familles")
        expect(answer).to_contain_text("Source : Nos partenaires > AVSF")
        expect(answer).not_to_contain_text(SOURCE_NOTE["fr"])  # the quote is not in English
        expect(sources).to_contain_text(SOURCES_TITLE["fr"].format(count=3))
        expect_page_in(page, "fr")
        shot(page, "11-french-translation")
    finally:
        context.close()
        running.stop()
