"""The chat page's texts in five languages (with the chat's own replies and the widget's) and how the
page's language is chosen, without models (`make test-fast`); the browser's side is in
test_language_browser.py and test_widget_browser.py."""
from __future__ import annotations

import string

import pytest

from assistant import rules
from assistant.types import Reply, ReplyKind
from assistant.web.page_language import (
    GRADIO_KEYS,
    I18N,
    PAGE_KEYS,
    PAGE_LANGUAGES,
    REPLY_KEYS,
    TRANSLATED_KEYS,
    WIDGET_KEYS,
    browser_language,
    language_after,
    opening_language,
    page_text,
    widget_texts,
)

CHAT = rules.load("messages")["chat"]


def fields(text: str) -> set[str]:
    """The {placeholders} of a text: a translation must keep every one."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", PAGE_LANGUAGES[1:])
def test_each_language_translates_exactly_the_page_keys(language):
    assert set(CHAT[language]) == set(TRANSLATED_KEYS)  # none missing, no misspelt extra key


@pytest.mark.parametrize("key", REPLY_KEYS + WIDGET_KEYS)
@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_the_chat_replies_and_the_widget_texts_are_there_in_every_language(key, language):
    text = page_text(key, language)
    assert text.strip() and fields(text) == fields(CHAT[key])
    if language != "en":
        assert text != CHAT[key], f"{key} in {language} is the English text"
    assert widget_texts()[language].get(key, text) == text  # what /widget/texts.json serves


def test_the_widget_gets_its_texts_and_its_bar_title_in_every_language():
    served = widget_texts()
    assert set(served) == set(PAGE_LANGUAGES)
    assert all(set(texts) == {"title", *WIDGET_KEYS} for texts in served.values())
    assert served["fr"]["widget_close"] == "Fermer" and served["fr"]["title"] == CHAT["fr"]["title"]


def test_a_too_long_question_is_told_so_in_its_language():
    texts = rules.load("messages")["too_long"]
    assert set(texts) >= set(PAGE_LANGUAGES)
    assert all(fields(text) == {"length", "limit"} for text in texts.values())
    assert len(set(texts.values())) == len(texts)  # each its own translation


@pytest.mark.parametrize("key", PAGE_KEYS + GRADIO_KEYS)
@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_every_page_text_is_there_in_every_language(key, language):
    text = I18N.translations_dict[language][key]
    assert text.strip()
    if key in PAGE_KEYS:
        assert text == page_text(key, language)
    if language != "en":
        assert text != CHAT[key], f"{key} in {language} is the English text"


@pytest.mark.parametrize("table", ["sources_title", "citation"])
def test_the_sources_labels_have_every_language(table):
    texts = rules.load("messages")[table]
    assert set(texts) >= set(PAGE_LANGUAGES)
    placeholder = "{count}" if table == "sources_title" else "{source}"
    assert all(placeholder in text for text in texts.values())


@pytest.mark.parametrize("header, language", [
    ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
    ("mn-MN", "mn"),
    ("de", "de"),
    ("ES-es", "es"),
    ("it-IT,es;q=0.8,en;q=0.5", "es"),  # the first language the page has, in the visitor's order
    ("en;q=0.5,fr;q=0.9", "fr"),  # by weight, not by place
    ("fr;q=0,de", "de"),  # q=0: not wanted
    ("ja-JP,zh;q=0.9", "en"),
    ("*", "en"),
    ("", "en"),
    (None, "en"),
    ("fr;q=abc,es", "es"),  # a malformed weight is skipped
])
def test_browser_language(header, language):
    assert browser_language(header) == language


@pytest.mark.parametrize("asked, header, language", [
    ("fr", "en-US,en;q=0.9", "fr"),  # the widget on a French page, in an English browser
    ("mn", None, "mn"),
    (None, "de-DE", "de"),  # the page opened directly: the browser's language
    ("it", "es", "es"),  # a host page in a language the chat lacks: the browser's
    ("<script>", "fr", "fr"),  # a forged value
])
def test_a_new_visit_opens_in_the_widget_page_language_else_the_browser_one(asked, header, language):
    assert opening_language(asked, header) == language


@pytest.mark.parametrize("reply, before, after", [
    (Reply(True, "quote", language="fr"), "en", "fr"),  # a French question in an English browser
    (Reply(False, "decline", language="mn"), "de", "mn"),
    (Reply(True, "quote", language="en"), "fr", "en"),  # an English question: the replies are English
    (Reply(False, "decline", language="ru"), "fr", "en"),  # a language the page lacks: English, as the reply
    (Reply(False, "slow down", kind=ReplyKind.RATE_LIMITED), "es", "es"),  # no question read
    (Reply(False, "type a question", language="en", kind=ReplyKind.INPUT_HELP), "mn", "mn"),
    (Reply(True, "quote", language="fr"), "xx<script>", "fr"),
    (Reply(False, "slow down", kind=ReplyKind.RATE_LIMITED), "xx<script>", "en"),  # a forged value
])
def test_the_page_follows_the_question_language(reply, before, after):
    assert language_after(reply, before) == after
