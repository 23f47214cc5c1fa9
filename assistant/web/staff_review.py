"""The staff console's Review tab: filter the logged questions, open one with its retrieval
inspector, mark it right or wrong, and fix it by pinning a passage or writing an answer (or teach
one of its words: `staff_vocabulary.py` wires that button).

Handlers return named updates ({component: value}); components left out keep their value.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import gradio as gr
from gradio.blocks import Block

from assistant.curation.entries import CurationError
from assistant.web.staff_console import StaffConsole
from assistant.web.turn_view import inspector, reply_markdown

Updates = dict[Block, Any]
FILTER_NAMES = ("declined", "thumbs_down", "since", "until", "search")  # the CSV route's parameters, in order
# In pixels, not shares of the screen: on a phone the columns stay readable and the table scrolls sideways in its box
TABLE_WIDTHS: list[str | int] = [112, 56, 76, 256, 330, 90, 90, 76, 128]  # id: 12 digits


class ReviewTab:
    """The tab's components, laid out in the caller's Tabs, and their handlers."""

    def __init__(self, console: StaffConsole, notice: gr.Markdown) -> None:
        self.console = console
        self.notice = notice
        with gr.Tab("Review", id="review"):
            with gr.Row():  # the minimum widths make the filters wrap whole on a phone (checkboxes: in CSS)
                self.declined = gr.Checkbox(label="Declined or not sure", elem_id="filter-declined")
                self.thumbs = gr.Checkbox(label="Thumbs-down only", elem_id="filter-thumbs")
                self.since = gr.DateTime(label="From", include_time=False, type="string", elem_id="filter-from",
                                         min_width=210)
                self.until = gr.DateTime(label="To (inclusive)", include_time=False, type="string",
                                         elem_id="filter-to", min_width=210)
                self.search = gr.Textbox(label="Search", placeholder="words in the question or answer",
                                         elem_id="filter-search", min_width=210)
            with gr.Row():
                self.refresh = gr.Button("Refresh", variant="primary", elem_id="review-refresh", scale=0)
                self.export = gr.Button("Export CSV", elem_id="review-export", scale=0)
                self.csv_link = gr.Markdown(elem_id="review-csv")
            self.table = gr.Dataframe(label="Questions (newest first) — click a row to open it", interactive=False,
                                      wrap=True, max_height=380, elem_id="review-table", column_widths=TABLE_WIDTHS)
            self.opened = gr.State("")
            with gr.Column(visible=False, elem_id="turn-detail") as self.detail:
                self._lay_out_detail()
                self._lay_out_inspector()
        self.filters = [self.declined, self.thumbs, self.since, self.until, self.search]

    def _lay_out_detail(self) -> None:
        """The reply as staff see it, beside the verdict and the two ways to fix it."""
        with gr.Row():
            with gr.Column(scale=3):
                self.reply = gr.Markdown(elem_id="reply-detail")
            with gr.Column(scale=2):
                self.note = gr.Textbox(label="Note (optional)", max_lines=2, elem_id="verdict-note")
                with gr.Row():
                    self.right = gr.Button("✓ Mark right", elem_id="mark-right")
                    self.wrong = gr.Button("✗ Mark wrong", variant="stop", elem_id="mark-wrong")
                self.questions = gr.Textbox(
                    label="Question(s) the fix answers — one per line; add paraphrases or translations",
                    lines=3, elem_id="fix-questions")
                self.pin_choice = gr.Dropdown(label="Pin the right passage", choices=[], type="value",
                                              elem_id="pin-choice")
                self.pin = gr.Button("Pin passage", elem_id="pin-button")
                self.written = gr.Textbox(label="…or write a short answer", lines=3, max_length=2000,
                                          elem_id="written-answer")
                self.written_source = gr.Dropdown(label="Its source", choices=[], elem_id="written-source")
                self.write = gr.Button("Save written answer", elem_id="write-button")
                with gr.Row():  # a word visitors use and the texts do not: taught in the Vocabulary tab
                    self.teach_word = gr.Dropdown(label="…or teach one of its words", choices=[],
                                                  elem_id="teach-word")
                    self.teach = gr.Button("Teach a word ›", elem_id="teach-button", scale=0, min_width=150)
                self.fix_notice = gr.Markdown(elem_id="fix-notice")  # the fix's outcome, beside the form
                with gr.Accordion("Delete this conversation", open=False, elem_id="delete-panel"):
                    self.sure = gr.Checkbox(label="The visitor asked: delete all their questions and feedback",
                                            elem_id="delete-sure")
                    self.delete = gr.Button("Delete the conversation", variant="stop", elem_id="delete-button")

    def _lay_out_inspector(self) -> None:
        with gr.Accordion("Retrieval inspector", open=True, elem_id="inspector"):
            self.summary = gr.Markdown(elem_id="inspector-summary")
            self.passages = gr.Dataframe(label="Passages: each retriever's rank and raw score, and the fused "
                                               "(RRF) result", interactive=False, elem_id="inspector-passages")
            self.sentences = gr.Dataframe(label="Candidate sentences and their signals", interactive=False,
                                          wrap=True, elem_id="inspector-sentences")
            with gr.Accordion("Raw trace (JSON)", open=False):
                self.raw = gr.JSON(elem_id="inspector-json")

    def wire(self, curated_table: gr.Dataframe) -> None:
        """Connect the events; `curated_table` (another tab's) is refreshed after a fix."""
        self.curated_table = curated_table
        fast: dict[str, Any] = {"queue": False, "api_visibility": "private"}
        for trigger in (self.refresh.click, self.search.submit, self.declined.change, self.thumbs.change,
                        self.since.change, self.until.change):
            trigger(self.load_table, self.filters, [self.table, self.notice], **fast)
        self.export.click(self.export_link, self.filters, [self.csv_link, self.notice], **fast)
        self.table.select(self.open_row, None, [self.opened, self.detail, self.reply, self.summary, self.passages,
                                                self.sentences, self.raw, self.pin_choice, self.questions,
                                                self.written_source, self.fix_notice, self.teach_word,
                                                self.notice], **fast
                          ).then(None, js="() => setTimeout(() => document.querySelector('#turn-detail')"
                                          "?.scrollIntoView(), 150)")  # once it is drawn
        fixed = [self.reply, self.table, self.notice]
        self.right.click(self.mark_right, [self.opened, self.note, *self.filters], [*fixed, self.note], **fast)
        self.wrong.click(self.mark_wrong, [self.opened, self.note, *self.filters], [*fixed, self.note], **fast)
        self.pin.click(self.pin_passage, [self.opened, self.pin_choice, self.questions, *self.filters],
                       [*fixed, self.fix_notice, curated_table], api_visibility="private")
        self.delete.click(self.delete_conversation, [self.opened, self.sure, *self.filters],
                          [self.table, self.notice, self.opened, self.detail, self.sure], api_visibility="private")
        self.write.click(self.write_answer, [self.opened, self.questions, self.written, self.written_source,
                                             *self.filters], [*fixed, self.fix_notice, curated_table, self.written],
                         api_visibility="private")

    def delete_conversation(self, turn_id: str, sure: bool, *filters: Any) -> Updates:
        if not sure:
            return {self.notice: "⚠ Tick the box first: this deletes every question of the conversation."}
        try:
            message = self.console.delete_conversation(turn_id)
        except ValueError as error:
            return {self.notice: f"⚠ {error}"}
        return {**self.load_table(*filters), self.opened: "", self.detail: gr.Column(visible=False),
                self.sure: False, self.notice: f"✓ {message}"}

    def load_table(self, *filters: Any) -> Updates:
        try:
            return {self.table: self.console.review_table(*filters), self.notice: ""}
        except ValueError as error:
            return {self.notice: f"⚠ {error}"}

    def export_link(self, *filters: Any) -> Updates:
        """A link to /staff/export.csv with these filters: the file never enters Gradio's shared cache."""
        try:
            count = len(self.console.review_rows(*filters))
        except ValueError as error:
            return {self.notice: f"⚠ {error}"}
        query = urlencode({name: ("1" if value is True else value) for name, value in zip(FILTER_NAMES, filters)
                           if value not in (None, "", False)})
        return {self.csv_link: f"[Download the CSV ({count} rows)](export.csv?{query})", self.notice: ""}

    def open_row(self, selected: gr.SelectData) -> Updates:
        turn_id = str((selected.row_value or [""])[-1])
        turn = self.console.turn(turn_id)
        if not turn:
            return {self.opened: "", self.detail: gr.Column(visible=False),
                    self.notice: "⚠ That question is no longer in the log."}
        summary, passages, sentences = inspector(turn)
        choices = self.console.pin_choices(turn)
        return {self.opened: turn["id"], self.detail: gr.Column(visible=True),  # the whole id, not the short one
                self.reply: reply_markdown(turn), self.summary: summary, self.passages: passages,
                self.sentences: sentences, self.raw: turn["trace"] or {},
                # nothing chosen: the first passage is usually the wrong answer being fixed
                self.pin_choice: gr.Dropdown(choices=choices, value=None),
                self.fix_notice: "",
                self.teach_word: gr.Dropdown(choices=self.console.words_to_teach(turn), value=None),
                self.questions: self.console.default_questions(turn),
                self.written_source: gr.Dropdown(choices=self.console.section_choices(), value=None),
                self.notice: ""}

    def _reopened(self, turn_id: str, message: str, filters: tuple[Any, ...]) -> Updates:
        """After a change to a turn: its reply and the table again, and what was done."""
        turn = self.console.turn(turn_id)
        reply = reply_markdown(turn) if turn else ""
        return {**self.load_table(*filters), self.reply: reply, self.notice: f"✓ {message}"}

    def _mark(self, verdict: str, turn_id: str, note: str, filters: tuple[Any, ...]) -> Updates:
        try:
            message = self.console.mark(turn_id, verdict, note)
        except ValueError as error:
            return {self.notice: f"⚠ {error}"}
        return {**self._reopened(turn_id, message, filters), self.note: ""}

    def mark_right(self, turn_id: str, note: str, *filters: Any) -> Updates:
        return self._mark("right", turn_id, note, filters)

    def mark_wrong(self, turn_id: str, note: str, *filters: Any) -> Updates:
        return self._mark("wrong", turn_id, note, filters)

    def pin_passage(self, turn_id: str, number: int | None, questions: str, *filters: Any) -> Updates:
        try:
            message = self.console.pin(turn_id, number, questions)
        except (ValueError, CurationError) as error:
            return {self.fix_notice: f"⚠ {error}"}
        return {**self._fixed(turn_id, message, filters), self.curated_table: self.console.curated_table()}

    def write_answer(self, turn_id: str, questions: str, text: str, source_key: str, *filters: Any) -> Updates:
        try:
            message = self.console.write_answer(turn_id, questions, text, source_key)
        except (ValueError, CurationError) as error:
            return {self.fix_notice: f"⚠ {error}"}
        return {**self._fixed(turn_id, message, filters), self.curated_table: self.console.curated_table(),
                self.written: ""}

    def _fixed(self, turn_id: str, message: str, filters: tuple[Any, ...]) -> Updates:
        """After a fix: the turn reopened, and what was done said beside the form, where staff look."""
        return {**self._reopened(turn_id, message, filters), self.notice: "", self.fix_notice: f"✓ {message}"}
