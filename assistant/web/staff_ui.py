"""The staff console's Gradio app, and its mounting under /staff behind the staff login.

The staff Blocks is a separate Gradio app from the visitor chat (its own
functions, queue and config), and every staff event is `api_visibility="private"`:
nothing staff-only is listed or callable from the visitor app at /. Handlers
return named updates ({component: value}); components left out keep their value.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from assistant.curation.entries import CurationError
from assistant.web.staff_auth import STAFF_PATH, add_staff_login
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_corpus import CorpusTab
from assistant.web.staff_review import ReviewTab, Updates
from assistant.web.staff_vocabulary import VocabularyTab
from assistant.web.theme import PAGE_MARGINS_CSS, THEME

TITLE = "Staff console · Sustainable Cashmere Union"
CSS = PAGE_MARGINS_CSS + """
.gradio-container { width: 100% !important; max-width: 1280px !important; min-width: 0 !important;
                    margin: 0 auto !important; }  /* every tab as wide as the screen allows, tables or not */
#reply-detail blockquote { white-space: pre-wrap; }
#filter-declined, #filter-thumbs { min-width: 150px !important; }  /* Gradio's checkboxes ignore min_width */
/* Gradio puts its "scroll to top" button inside a table's grid once the table scrolls, which breaks the grid
   for screen readers (axe: aria-required-children); the table scrolls by hand as well */
.scroll-top-button { display: none !important; }
/* the inspector's headers break between words, never inside one ("ch/un/k"), and its sentences wrap in a
   column of their own, so the whole table is in view without scrolling sideways */
:is(#inspector-passages, #inspector-sentences) th { min-width: min-content !important; }
:is(#inspector-passages, #inspector-sentences) th .header { overflow-wrap: normal !important;
                                                             word-break: normal !important; }
#inspector-sentences :is(th, td):last-child { width: 360px !important; min-width: 360px !important;
                                              max-width: 360px !important; }
@media (max-width: 700px) {  /* a phone: wide tables keep readable columns and scroll sideways in their box */
  :is(#inspector-passages, #inspector-sentences) table { min-width: 760px; }
}
"""
# Gradio's date fields have an unlabeled calendar button: name it for screen readers.
STAFF_JS = """() => {
  const name = () => document.querySelectorAll('.timebox .calendar:not([aria-label])')
    .forEach((button) => button.setAttribute('aria-label', 'Pick a date'));
  new MutationObserver(name).observe(document.body, {subtree: true, childList: true});
  name();
}"""
PERIODS = [("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Everything", 0)]
FAST: dict[str, Any] = {"queue": False, "api_visibility": "private"}  # quick reads, answered outside the queue

ALERT_SECONDS = 15
CURATED_WIDTHS: list[str | int] = [60, 300, 96, 324, 216, 96, 108]  # in pixels, as the review table's


class CuratedTab:
    """The curated answers: list, edit, remove."""

    def __init__(self, console: StaffConsole, notice: gr.Markdown) -> None:
        self.console = console
        self.notice = notice
        with gr.Tab("Curated answers", id="curated"):
            # questions and answers are shortened in the table (the editor has them whole): the source stays in view
            self.table = gr.Dataframe(label="Curated answers — click a row to edit it", interactive=False,
                                      wrap=True, elem_id="curated-table", column_widths=CURATED_WIDTHS)
            with gr.Column(visible=False, elem_id="curated-editor") as self.editor:  # shown once a row is chosen
                with gr.Row():
                    self.number = gr.Number(label="Curated answer #", precision=0, interactive=False,
                                            elem_id="curated-id", scale=0, min_width=120)
                    self.questions = gr.Textbox(label="Questions (one per line)", lines=3,
                                                elem_id="curated-questions")
                    self.text = gr.Textbox(label="Answer (written answers only; a pinned passage stays verbatim)",
                                           lines=3, elem_id="curated-text")
                with gr.Row():
                    self.save = gr.Button("Save changes", variant="primary", elem_id="curated-save", scale=0)
                    self.remove = gr.Button("Remove", variant="stop", elem_id="curated-remove", scale=0)

    def wire(self) -> None:
        self.table.select(self.open, None, [self.editor, self.number, self.questions, self.text], **FAST)
        self.save.click(self.save_entry, [self.number, self.questions, self.text], [self.table, self.notice],
                        api_visibility="private")
        self.remove.click(self.remove_entry, [self.number],
                          [self.table, self.editor, self.number, self.questions, self.text, self.notice],
                          api_visibility="private")

    def open(self, selected: gr.SelectData) -> Updates:
        entry = self.console.curated.get(int((selected.row_value or [0])[0]))
        if entry is None:
            return {self.editor: gr.Column(visible=False), self.number: None, self.questions: "", self.text: ""}
        return {self.editor: gr.Column(visible=True), self.number: entry.id, self.questions: "\n".join(entry.questions),
                self.text: gr.Textbox(value=entry.text, interactive=entry.kind == "written")}

    def save_entry(self, number: float | None, questions: str, text: str) -> Updates:
        if not number:
            return {self.notice: "⚠ Click a curated answer first."}
        try:
            entry = self.console.curated.update(int(number), questions=questions, text=text)
        except CurationError as error:
            return {self.notice: f"⚠ {error}"}
        return {self.table: self.console.curated_table(), self.notice: f"✓ Curated answer #{entry.id} saved."}

    def remove_entry(self, number: float | None) -> Updates:
        if not number or not self.console.curated.remove(int(number)):
            return {self.number: None, self.questions: "", self.text: "",
                    self.notice: "⚠ Click a curated answer first."}
        return {self.table: self.console.curated_table(), self.editor: gr.Column(visible=False), self.number: None,
                self.questions: "", self.text: "", self.notice: f"✓ Curated answer #{int(number)} removed."}


class InsightTab:
    """Questions per day, the share declined or disliked, and the most frequent declined questions."""

    def __init__(self, console: StaffConsole) -> None:
        self.console = console
        with gr.Tab("Insight", id="insight") as self.tab:
            with gr.Row():
                self.period = gr.Dropdown(label="Period", choices=PERIODS, value=30, elem_id="insight-period",
                                          scale=0, min_width=200)
                self.refresh = gr.Button("Refresh", elem_id="insight-refresh", scale=0)
            self.summary = gr.Markdown(elem_id="insight-summary")
            with gr.Row():
                self.per_day = gr.BarPlot(x="day", y="questions", title="Questions per day", x_title="day (UTC)",
                                          y_title="questions", sort="x", y_lim=[0, None], elem_id="plot-questions")
                self.shares = gr.ScatterPlot(x="day", y="share", color="measure", title="Share declined / "
                                             "not sure / thumbs-down", x_title="day (UTC)", y_title="% of questions",
                                             y_lim=[0, 100], elem_id="plot-shares")
            self.gaps = gr.BarPlot(x="question", y="times", title="Most frequent declined questions: what to write "
                                   "about", sort="-y", x_label_angle=-30, height=380, y_lim=[0, None],
                                   elem_id="plot-gaps")

    def wire(self) -> None:
        for trigger in (self.refresh.click, self.period.change, self.tab.select):  # opening the tab: today's figures
            trigger(self.load, [self.period], [self.per_day, self.shares, self.gaps, self.summary], **FAST)

    def load(self, days: int | None) -> Updates:
        per_day, shares, gaps, summary = self.console.insight(int(days or 0) or None)
        return {self.per_day: gr.BarPlot(per_day, y_lim=count_axis(per_day["questions"])), self.shares: shares,
                self.gaps: gr.BarPlot(gaps, y_lim=count_axis(gaps["times"])), self.summary: summary}


def count_axis(counts: Any) -> list[float | None]:
    """A count axis from 0 to at least 10: below that, the plot's ticks fall between whole numbers (0.5 questions)."""
    return [0, max(10, int(max(counts, default=0)))]


def build_staff_demo(console: StaffConsole) -> gr.Blocks:
    """The five tabs over one notice line; every table filled when the page loads."""
    demo = gr.Blocks(title=TITLE, analytics_enabled=False)
    with demo:
        gr.Markdown(f"## {TITLE} &nbsp; <small>[Log out](logout)</small>", elem_id="staff-title")
        notice = gr.Markdown(elem_id="staff-notice")
        alert = gr.Markdown(elem_id="log-alert")  # the log's outage, checked every few seconds
        gr.Timer(ALERT_SECONDS).tick(console.log_alert, None, alert, **FAST)
        with gr.Tabs() as tabs:
            review = ReviewTab(console, notice)
            curated = CuratedTab(console, notice)
            vocabulary = VocabularyTab(console)
            corpus = CorpusTab(console, notice)
            insight = InsightTab(console)
        tabs.select(lambda: "", None, notice, **FAST)  # a notice is about the tab it was given on
        review.wire(curated.table)
        curated.wire()
        vocabulary.wire(review, tabs)
        corpus.wire(curated.table)
        insight.wire()

        def initial(days: int | None) -> Updates:
            return {review.table: console.review_table(), curated.table: console.curated_table(), **corpus.view(),
                    **vocabulary.show("en"), **insight.load(days), alert: console.log_alert()}

        demo.load(initial, [insight.period], [review.table, curated.table, vocabulary.table, corpus.documents,
                                              corpus.to_remove, corpus.original, insight.per_day, insight.shares,
                                              insight.gaps, insight.summary, alert], **FAST)
    demo.queue(default_concurrency_limit=2, max_size=32)
    return demo


def mount_staff(app: FastAPI, console: StaffConsole, path: str = STAFF_PATH) -> FastAPI:
    """Add the login routes, the gate, the CSV export and the staff Gradio app under `path`
    (call before mounting "/")."""
    prefix = path.rstrip("/")
    staff_user = add_staff_login(app, console.auth, prefix)

    @app.get(f"{prefix}/export.csv", include_in_schema=False)
    def export_csv(declined: bool = False, thumbs_down: bool = False, since: str = "", until: str = "",
                   search: str = "") -> Response:
        """The review as CSV (behind StaffGate like everything under the staff path)."""
        try:
            path = console.export(declined, thumbs_down, since or None, until or None, search)
        except ValueError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        return FileResponse(path, media_type="text/csv; charset=utf-8", filename=path.name,
                            headers={"Cache-Control": "no-store"},
                            background=BackgroundTask(path.unlink, missing_ok=True))

    demo = build_staff_demo(console)
    app.state.staff_demo = demo
    blocked = [str(Path(p).resolve()) for p in (console.data_dir, console.bot.index_dir)]
    served: FastAPI = gr.mount_gradio_app(
        app, demo, path=prefix, auth_dependency=staff_user, footer_links=[], run_history=False,
        enable_monitoring=False, ssr_mode=False, theme=THEME, css=CSS, js=STAFF_JS,
        max_file_size=console.max_upload_bytes, blocked_paths=blocked, allowed_paths=[])
    return served
