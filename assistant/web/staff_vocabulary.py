"""The staff console's Vocabulary tab: "visitors say X, the texts say Y", per language, with add
and remove; and the Review tab's "teach a word", which opens it with the visitor's word filled in.

The entries live in `curation/vocabulary.py`; a change applies from the next question. Handlers
return named updates ({component: value}); components left out keep their value.
"""
from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.curation.vocabulary import LANGUAGES, VocabularyError
from assistant.text import escape_markdown
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_review import ReviewTab, Updates

LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "mn": "Mongolian"}
CHOICES = [(f"{LANGUAGE_NAMES.get(code, code)} ({code})", code) for code in LANGUAGES]
FAST: dict[str, Any] = {"queue": False, "api_visibility": "private"}
HELP = ("When visitors use a word the texts do not (\"herders\" for the texts' \"breeders\", a German or "
        "Mongolian word), teach it here: the texts' English words are then added to every question in that "
        "language that holds the word, or a word beginning with it (\"éleveur\" also matches \"éleveurs\"). "
        "It applies from the next question; no rebuild.")


class VocabularyTab:
    """The tab's components, laid out in the caller's Tabs, and their handlers."""

    def __init__(self, console: StaffConsole) -> None:
        self.console = console
        with gr.Tab("Vocabulary", id="vocabulary"):
            gr.Markdown(HELP)
            with gr.Row():
                self.language = gr.Dropdown(label="Language", choices=CHOICES, value="en", elem_id="vocab-language",
                                            scale=0, min_width=190)
                self.word = gr.Textbox(label="The visitor's word, or its beginning", elem_id="vocab-word")
                self.english = gr.Textbox(label="The English words the texts use", elem_id="vocab-english")
            with gr.Row():
                self.add = gr.Button("Add", variant="primary", elem_id="vocab-add", scale=0)
                self.remove = gr.Button("Remove", variant="stop", elem_id="vocab-remove", scale=0)
                self.notice = gr.Markdown(elem_id="vocab-notice")  # beside the form, where staff look
            self.table = gr.Dataframe(label="Entries in this language — click a row to fill the form", wrap=True,
                                      interactive=False, elem_id="vocab-table")

    def wire(self, review: ReviewTab, tabs: gr.Tabs) -> None:
        """Connect the events; `review`'s "teach a word" opens this tab (`tabs`) with its word."""
        self.language.change(self.show, [self.language], [self.table], **FAST)
        self.table.select(self.fill, None, [self.word, self.english], **FAST)
        self.add.click(self.teach, [self.language, self.word, self.english],
                       [self.table, self.notice, self.word, self.english], api_visibility="private")
        self.remove.click(self.forget, [self.language, self.word], [self.table, self.notice, self.word, self.english],
                          api_visibility="private")
        review.teach.click(self.prefill, [review.opened, review.teach_word],
                           [tabs, self.language, self.word, self.english, self.table, self.notice, review.fix_notice],
                           **FAST)
        self.tabs, self.review_notice = tabs, review.fix_notice

    def show(self, language: str | None) -> Updates:
        return {self.table: self.console.vocabulary_table(language)}

    def fill(self, selected: gr.SelectData) -> Updates:
        word, english = ([*(selected.row_value or []), "", ""])[:2]
        return {self.word: str(word), self.english: str(english)}

    def teach(self, language: str | None, word: str, english: str) -> Updates:
        try:
            message = self.console.teach(language or "", word, english)
        except VocabularyError as error:  # the form keeps what was typed, to correct it
            return {self.notice: f"⚠ {escape_markdown(str(error))}"}
        return {**self.show(language), self.notice: f"✓ {escape_markdown(message)}", self.word: "", self.english: ""}

    def forget(self, language: str | None, word: str) -> Updates:
        try:
            message = self.console.forget(language or "", word)
        except VocabularyError as error:
            return {self.notice: f"⚠ {escape_markdown(str(error))}"}
        return {**self.show(language), self.notice: f"✓ {escape_markdown(message)}", self.word: "", self.english: ""}

    def prefill(self, turn_id: str, word: str | None) -> Updates:
        """The Vocabulary tab, its form holding the chosen word of the opened question, in its language."""
        turn = self.console.turn(turn_id)
        if not turn or not word:
            return {self.review_notice: "⚠ Choose the word to teach first."}
        opened: Updates = {self.tabs: gr.Tabs(selected="vocabulary"), self.word: word, self.english: "",
                           self.review_notice: ""}
        language = turn["language"] or ""
        if language not in LANGUAGES:  # the language dropdown keeps its choice
            return {**opened, self.notice: f"⚠ The question was read as “{escape_markdown(language)}”, a language "
                                           "the vocabulary does not serve: choose the language the word is meant for."}
        return {**opened, **self.show(language), self.language: language,
                self.notice: "Type the English words the texts use for it, then Add "
                             "(a shorter beginning matches more forms: “éleveur” for “éleveurs”)."}
