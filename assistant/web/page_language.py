"""The chat page's own texts in the visitor's language: which language, and its texts.

How the language is chosen, and why:
- Before the server has said anything, `gr.I18n` (`I18N`) shows the page in the browser's language.
  Gradio translates on the client, in a locale its frontend picks from `navigator.language`,
  and only among the languages it ships itself: fr, de and es, not Mongolian. A Mongolian
  browser sees English there, and the server cannot change that locale afterwards.
- So the server decides, and sends the texts from the same table: on load, the first language
  of the browser's `Accept-Language` that the page has (in the widget, its host page's language, sent
  as `?lang=` by widget/ask-us.js); once the visitor has asked, the language
  the question was detected in (`Reply.language`), which is also the replies' language (a French
  question in an English browser gets French labels from then on). English otherwise.
- Chat messages are not translated by Gradio's i18n: the welcome is sent in the page's language,
  and each reply's "Source:"/"Sources (n)" in the reply's language (`rendering`, `chat_ui`).
- Gradio's own controls (the thumbs, the copy button) stay in the browser's language, the locale
  of its frontend; `GRADIO_KEYS` adds the copy button's name, which Gradio leaves in English.
"""
from __future__ import annotations

import gradio as gr

from assistant import rules
from assistant.types import Reply, ReplyKind

PAGE_LANGUAGES = ("en", "fr", "mn", "de", "es")
PAGE_KEYS = ("title", "welcome", "question_label", "question_placeholder", "ask_button", "clear_button",
             "comment_label", "comment_placeholder", "comment_button", "comment_thanks", "feedback_not_saved")
# Gradio's own keys for the copy button's aria-label: translated by gr.I18n in the browser's language only
# (the server cannot reach them), where Gradio's translations leave them English
GRADIO_KEYS = ("chatbot.copy_message", "chatbot.copied_message")
REPLY_KEYS = ("rate_limited",)  # replies the chat makes itself, before the pipeline (`chat_service`)
# the website widget on the host page, served as /widget/texts.json (`widget_texts`); its bar is "title"
WIDGET_KEYS = ("widget_button", "widget_close", "widget_frame_title")
TRANSLATED_KEYS = PAGE_KEYS + GRADIO_KEYS + REPLY_KEYS + WIDGET_KEYS  # what every language must have
# replies that did not read a question in a language (too fast, empty or too long) leave the page as it is
UNREAD = (ReplyKind.RATE_LIMITED, ReplyKind.INPUT_HELP)

_CHAT = rules.load("messages")["chat"]  # English at its top, each other language in a sub-table
CHAT_TEXTS: dict[str, dict[str, str]] = {
    language: {key: (_CHAT if language == "en" else _CHAT[language])[key] for key in TRANSLATED_KEYS}
    for language in PAGE_LANGUAGES}
# only the page's keys go to the browser with the page
I18N = gr.I18n(**{language: {key: texts[key] for key in PAGE_KEYS + GRADIO_KEYS}
                  for language, texts in CHAT_TEXTS.items()})


def page_language(language: str | None) -> str:
    """The language if the page has it, else English (also for a forged value from the browser)."""
    return language if language in PAGE_LANGUAGES else "en"


def page_text(key: str, language: str | None) -> str:
    return CHAT_TEXTS[page_language(language)][key]


def widget_texts() -> dict[str, dict[str, str]]:
    """The widget's texts per language, as its script fetches them: {"fr": {"title": ..., "widget_button": ...}}."""
    return {language: {key: texts[key] for key in ("title", *WIDGET_KEYS)} for language, texts in CHAT_TEXTS.items()}


def browser_language(accept_language: str | None) -> str:
    """The first language of an Accept-Language header, in the visitor's order of preference, that the
    page has ("it-IT,fr;q=0.8" -> "fr"); English when none is."""
    ranked: list[tuple[float, str]] = []
    for entry in (accept_language or "").split(","):
        tag, _, weight = entry.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((quality, tag.split("-")[0].strip().lower()))
    ranked.sort(key=lambda item: -item[0])  # stable: equal weights keep the header's order
    return next((language for _, language in ranked if language in PAGE_LANGUAGES), "en")


def opening_language(asked: str | None, accept_language: str | None) -> str:
    """A new visit's language: the widget's `?lang=` (its host page's language, so that the button and the
    chat agree) when the page has it, else the browser's."""
    return asked if asked in PAGE_LANGUAGES else browser_language(accept_language)


def language_after(reply: Reply, current: str) -> str:
    """The page's language once this reply is shown: the question's, unless the reply read none."""
    return page_language(current if reply.kind in UNREAD else reply.language)
