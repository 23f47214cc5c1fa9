"""The staff console's Gradio app, and its mounting under /staff behind the staff login.

The staff Blocks is a separate Gradio app from the visitor chat (its own
functions, queue and config), and every staff event is `api_visibility="private"`:
nothing staff-only is listed or callable from the visitor app at /.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from assistant.curation.store import CurationError
from assistant.ops.corpus_admin import UploadRefused, describe
from assistant.web.staff_auth import STAFF_PATH, add_staff_login
from assistant.web.staff_console import StaffConsole
from assistant.web.theme import THEME

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#reply-detail blockquote { white-space: pre-wrap; }
"""


def build_staff_demo(console: StaffConsole) -> gr.Blocks:
    private = {"api_visibility": "private"}
    fast = {"queue": False, **private}
    days_choices = [("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Everything", 0)]

    with gr.Blocks(title="Staff console · Sustainable Cashmere Union", analytics_enabled=False) as demo:
        gr.Markdown("## Staff console · Sustainable Cashmere Union &nbsp; <small>[Log out](logout)</small>",
                    elem_id="staff-title")
        notice = gr.Markdown(elem_id="staff-notice")
        with gr.Tabs():
            # -------------------------------------------------------- review
            with gr.Tab("Review", id="review"):
                with gr.Row():
                    declined = gr.Checkbox(label="Declined only", elem_id="filter-declined")
                    thumbs = gr.Checkbox(label="Thumbs-down only", elem_id="filter-thumbs")
                    since = gr.DateTime(label="From", include_time=False, type="string", elem_id="filter-from")
                    until = gr.DateTime(label="To (inclusive)", include_time=False, type="string",
                                        elem_id="filter-to")
                    search = gr.Textbox(label="Search", placeholder="words in the question or answer",
                                        elem_id="filter-search")
                with gr.Row():
                    refresh = gr.Button("Refresh", variant="primary", elem_id="review-refresh", scale=0)
                    export = gr.Button("Export CSV", elem_id="review-export", scale=0)
                    csv_link = gr.Markdown(elem_id="review-csv")
                table = gr.Dataframe(label="Questions (newest first) — click a row to open it", interactive=False,
                                     wrap=True, max_height=380, elem_id="review-table",
                                     column_widths=["9%", "4%", "5%", "24%", "30%", "8%", "8%", "5%", "7%"])
                opened = gr.State("")
                with gr.Column(visible=False, elem_id="turn-detail") as detail:
                    with gr.Row():
                        with gr.Column(scale=3):
                            reply_md = gr.Markdown(elem_id="reply-detail")
                        with gr.Column(scale=2):
                            note = gr.Textbox(label="Note (optional)", max_lines=2, elem_id="verdict-note")
                            with gr.Row():
                                right = gr.Button("✓ Mark right", elem_id="mark-right")
                                wrong = gr.Button("✗ Mark wrong", variant="stop", elem_id="mark-wrong")
                            questions = gr.Textbox(
                                label="Question(s) the fix answers — one per line; add paraphrases or translations",
                                lines=3, elem_id="fix-questions")
                            pin_choice = gr.Dropdown(label="Pin the right passage", choices=[], type="value",
                                                     elem_id="pin-choice")
                            pin = gr.Button("Pin passage", elem_id="pin-button")
                            written = gr.Textbox(label="…or write a short answer", lines=3, max_length=2000,
                                                 elem_id="written-answer")
                            written_source = gr.Dropdown(label="Its source", choices=[], elem_id="written-source")
                            write = gr.Button("Save written answer", elem_id="write-button")
                    with gr.Accordion("Retrieval inspector", open=True, elem_id="inspector"):
                        inspector_md = gr.Markdown(elem_id="inspector-summary")
                        passages = gr.Dataframe(label="Passages: each retriever's rank and raw score, and the fused "
                                                      "(RRF) result", interactive=False, elem_id="inspector-passages")
                        sentences = gr.Dataframe(label="Candidate sentences and their signals", interactive=False,
                                                 wrap=True, elem_id="inspector-sentences")
                        with gr.Accordion("Raw trace (JSON)", open=False):
                            raw = gr.JSON(elem_id="inspector-json")

            # -------------------------------------------------------- curated
            with gr.Tab("Curated answers", id="curated"):
                curated_table = gr.Dataframe(label="Curated answers — click a row to edit it", interactive=False,
                                             wrap=True, elem_id="curated-table")
                with gr.Row():
                    curated_id = gr.Number(label="Curated answer #", precision=0, interactive=False,
                                           elem_id="curated-id", scale=0, min_width=120)
                    curated_questions = gr.Textbox(label="Questions (one per line)", lines=3,
                                                   elem_id="curated-questions")
                    curated_text = gr.Textbox(label="Answer (written answers only; a pinned passage stays verbatim)",
                                              lines=3, elem_id="curated-text")
                with gr.Row():
                    curated_save = gr.Button("Save changes", variant="primary", elem_id="curated-save", scale=0)
                    curated_remove = gr.Button("Remove", variant="stop", elem_id="curated-remove", scale=0)

            # -------------------------------------------------------- corpus
            with gr.Tab("Corpus", id="corpus"):
                rebuild_md = gr.Markdown(describe(console.corpus.status()), elem_id="rebuild-status")
                documents = gr.Dataframe(label="Documents", interactive=False, elem_id="documents-table")
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(label=f"Add a document (.md, .txt, .html, .pdf; at most "
                                               f"{console.max_upload_bytes // (1024 * 1024)} MB)",
                                         file_types=[".md", ".txt", ".html", ".pdf"], type="filepath",
                                         elem_id="upload-file")
                        doc_title = gr.Textbox(label="Title (optional)", elem_id="upload-title")
                        doc_url = gr.Textbox(label="Web page it comes from (optional)", elem_id="upload-url")
                        replace = gr.Checkbox(label="Replace a document of the same name", elem_id="upload-replace")
                        add = gr.Button("Add document", variant="primary", elem_id="upload-button")
                    with gr.Column():
                        to_remove = gr.Dropdown(label="Remove a document", choices=[], elem_id="remove-choice")
                        remove = gr.Button("Remove document", variant="stop", elem_id="remove-button")
                        rebuild = gr.Button("Rebuild the index now", elem_id="rebuild-button")
                timer = gr.Timer(1.0, active=False)

            # -------------------------------------------------------- insight
            with gr.Tab("Insight", id="insight"):
                with gr.Row():
                    period = gr.Dropdown(label="Period", choices=days_choices, value=30, elem_id="insight-period",
                                         scale=0, min_width=200)
                    insight_refresh = gr.Button("Refresh", elem_id="insight-refresh", scale=0)
                insight_md = gr.Markdown(elem_id="insight-summary")
                with gr.Row():
                    per_day = gr.BarPlot(x="day", y="questions", title="Questions per day", x_title="day (UTC)",
                                         y_title="questions", sort="x", y_lim=[0, None], elem_id="plot-questions")
                    shares = gr.ScatterPlot(x="day", y="share", color="measure", title="Share declined / thumbs-down",
                                            x_title="day (UTC)", y_title="% of questions", y_lim=[0, 100],
                                            elem_id="plot-shares")
                gaps = gr.BarPlot(x="question", y="times", title="Most frequent declined questions: what to write "
                                  "about", sort="-y", x_label_angle=-30, height=380, y_lim=[0, None],
                          elem_id="plot-gaps")

        filters = [declined, thumbs, since, until, search]

        # ------------------------------------------------------------ handlers

        def load_table(*values: Any) -> tuple:
            try:
                return console.review_table(*values), ""
            except ValueError as error:
                return gr.skip(), f"⚠ {error}"

        def open_row(evt: gr.SelectData) -> tuple:
            turn_id = (evt.row_value or [""])[-1]
            turn = console.turn(turn_id)
            if not turn:
                return ("", gr.Column(visible=False), "", "", None, None, None, gr.Dropdown(choices=[]), "",
                        gr.Dropdown(choices=[]), "⚠ That question is no longer in the log.")
            summary, hits, candidates = console.inspector(turn)
            choices = console.pin_choices(turn)
            return (turn_id, gr.Column(visible=True), console.reply_markdown(turn), summary, hits, candidates,
                    turn["trace"] or {}, gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
                    console.default_questions(turn), gr.Dropdown(choices=console.section_choices(), value=None), "")

        def reopen(turn_id: str, *values: Any) -> tuple:
            turn = console.turn(turn_id)
            table_value = load_table(*values)[0]
            return (console.reply_markdown(turn) if turn else "", table_value)

        def marker(verdict: str):
            def mark(turn_id: str, text: str, *values: Any) -> tuple:
                try:
                    message = console.mark(turn_id, verdict, text)
                except ValueError as error:
                    return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip()
                markdown, table_value = reopen(turn_id, *values)
                return markdown, table_value, f"✓ {message}", ""
            return mark

        def do_export(*values: Any) -> tuple:
            """A link to /staff/export.csv with these filters: the file never enters Gradio's shared cache."""
            try:
                count = len(console.review_rows(*values))
            except ValueError as error:
                return gr.skip(), f"⚠ {error}"
            names = ("declined", "thumbs_down", "since", "until", "search")
            query = urlencode({name: ("1" if value is True else value) for name, value in zip(names, values)
                               if value not in (None, "", False)})
            return f"[Download the CSV ({count} rows)](export.csv?{query})", ""

        def do_pin(turn_id: str, number: Any, text: str, *values: Any) -> tuple:
            try:
                message = console.pin(turn_id, number, text)
            except (ValueError, CurationError) as error:
                return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip()
            markdown, table_value = reopen(turn_id, *values)
            return markdown, table_value, f"✓ {message}", console.curated_table()

        def do_write(turn_id: str, text_questions: str, text: str, key: str, *values: Any) -> tuple:
            try:
                message = console.write_answer(turn_id, text_questions, text, key)
            except (ValueError, CurationError) as error:
                return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip(), gr.skip()
            markdown, table_value = reopen(turn_id, *values)
            return markdown, table_value, f"✓ {message}", console.curated_table(), ""

        def open_curated(evt: gr.SelectData) -> tuple:
            entry = console.curated.get(int((evt.row_value or [0])[0]))
            if entry is None:
                return None, "", gr.Textbox(value="", interactive=False)
            return (entry.id, "\n".join(entry.questions),
                    gr.Textbox(value=entry.text, interactive=entry.kind == "written"))

        def save_curated(number: Any, text_questions: str, text: str) -> tuple:
            if not number:
                return gr.skip(), "⚠ Click a curated answer first."
            try:
                entry = console.curated.update(int(number), questions=text_questions, text=text)
            except CurationError as error:
                return gr.skip(), f"⚠ {error}"
            return console.curated_table(), f"✓ Curated answer #{entry.id} saved."

        def remove_curated(number: Any) -> tuple:
            if not number or not console.curated.remove(int(number)):
                return gr.skip(), None, "", "", "⚠ Click a curated answer first."
            return console.curated_table(), None, "", "", f"✓ Curated answer #{int(number)} removed."

        def corpus_view() -> tuple:
            table_value = console.documents_table()
            names = list(table_value["document"])
            return table_value, gr.Dropdown(choices=names, value=None)

        def after_change(message: str) -> tuple:
            table_value, names = corpus_view()
            return message, describe(console.corpus.status()), table_value, names, gr.Timer(active=True)

        def do_upload(path: str | None, title: str, url: str, overwrite: bool) -> tuple:
            if not path:
                return "⚠ Choose a file first.", gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                message = console.corpus.add(path, Path(path).name, title=title or "", source_url=url or "",
                                             replace=bool(overwrite))
            except UploadRefused as error:
                return f"✗ {error}", gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
            finally:  # Gradio's upload cache is shared with the visitor app: keep no staff file there
                Path(path).unlink(missing_ok=True)
            return (*after_change(f"✓ {message}"), None)

        def do_remove(name: str | None) -> tuple:
            if not name:
                return "⚠ Choose the document to remove.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                return after_change(f"✓ {console.corpus.remove(name)}")
            except UploadRefused as error:
                return f"✗ {error}", gr.skip(), gr.skip(), gr.skip(), gr.skip()

        def do_rebuild() -> tuple:
            console.corpus.request_rebuild("requested by staff")
            return after_change("Rebuild started.")

        def tick() -> tuple:
            status = console.corpus.status()
            running = status["state"] == "running" or bool(status["pending"])
            if running:
                return describe(status), gr.skip(), gr.skip(), gr.Timer(active=True), gr.skip()
            table_value, names = corpus_view()
            return describe(status), table_value, names, gr.Timer(active=False), console.curated_table()

        def load_insight(days: Any) -> tuple:
            return console.insight(int(days or 0) or None)

        # ------------------------------------------------------------ wiring

        for trigger in (refresh.click, search.submit, declined.change, thumbs.change, since.change, until.change):
            trigger(load_table, filters, [table, notice], **fast)
        export.click(do_export, filters, [csv_link, notice], **fast)
        table.select(open_row, None, [opened, detail, reply_md, inspector_md, passages, sentences, raw, pin_choice,
                                      questions, written_source, notice], **fast)
        right.click(marker("right"), [opened, note, *filters], [reply_md, table, notice, note], **fast)
        wrong.click(marker("wrong"), [opened, note, *filters], [reply_md, table, notice, note], **fast)
        pin.click(do_pin, [opened, pin_choice, questions, *filters], [reply_md, table, notice, curated_table],
                  **private)
        write.click(do_write, [opened, questions, written, written_source, *filters],
                    [reply_md, table, notice, curated_table, written], **private)
        curated_table.select(open_curated, None, [curated_id, curated_questions, curated_text], **fast)
        curated_save.click(save_curated, [curated_id, curated_questions, curated_text], [curated_table, notice],
                           **private)
        curated_remove.click(remove_curated, [curated_id],
                             [curated_table, curated_id, curated_questions, curated_text, notice], **private)
        add.click(do_upload, [upload, doc_title, doc_url, replace],
                  [notice, rebuild_md, documents, to_remove, timer, upload], **private)
        remove.click(do_remove, [to_remove], [notice, rebuild_md, documents, to_remove, timer], **private)
        rebuild.click(do_rebuild, None, [notice, rebuild_md, documents, to_remove, timer], **private)
        timer.tick(tick, None, [rebuild_md, documents, to_remove, timer, curated_table], **fast)
        for trigger in (insight_refresh.click, period.change):
            trigger(load_insight, [period], [per_day, shares, gaps, insight_md], **fast)

        def initial(days: Any) -> tuple:
            table_value, names = corpus_view()
            return (console.review_table(), console.curated_table(), table_value, names,
                    *console.insight(int(days or 0) or None))

        demo.load(initial, [period], [table, curated_table, documents, to_remove, per_day, shares, gaps,
                                      insight_md], **fast)
    demo.queue(default_concurrency_limit=2, max_size=32)
    return demo


def mount_staff(app: FastAPI, console: StaffConsole, path: str = STAFF_PATH) -> FastAPI:
    """Add the login routes, the gate, the CSV export and the staff Gradio app under `path`
    (call before mounting "/")."""
    prefix = path.rstrip("/")
    staff_user = add_staff_login(app, console.auth, prefix)

    @app.get(f"{prefix}/export.csv", include_in_schema=False)
    def export_csv(declined: bool = False, thumbs_down: bool = False, since: str = "", until: str = "",
                   search: str = ""):
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
    return gr.mount_gradio_app(app, demo, path=prefix, auth_dependency=staff_user, footer_links=[],
                               run_history=False, enable_monitoring=False, ssr_mode=False, theme=THEME, css=CSS,
                               max_file_size=console.max_upload_bytes, blocked_paths=blocked, allowed_paths=[])
