"""The staff console's Corpus tab: add a document (perhaps a translation of another), remove one, and
follow the index rebuilt in the background.

The logic is `ops/corpus_admin.py`'s (checks, writes, rebuilds, each document's status); this lays
it out. Handlers return named updates ({component: value}); components left out keep their value.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from assistant.ops.corpus_admin import describe
from assistant.ops.upload_checks import DOCUMENT_LANGUAGES, UploadRefused
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_review import Updates
from assistant.web.staff_vocabulary import LANGUAGE_NAMES

UPLOAD_TYPES = [".md", ".txt", ".html", ".pdf"]
FAST: dict[str, Any] = {"queue": False, "api_visibility": "private"}  # quick reads, answered outside the queue
AS_THE_FILE = ""  # the choice that leaves the language or the original to the file's own front matter


def language_name(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def language_choices(declared: str | None = None) -> list[tuple[str, str]]:
    """The languages a document can be in; the first leaves it to the file (`declared`: what it says)."""
    own = f"As the file says: {language_name(declared)}" if declared else "As the file says (English if nothing)"
    return [(own, AS_THE_FILE), *((language_name(code), code) for code in DOCUMENT_LANGUAGES)]


def original_choices(originals: list[str], declared: str | None = None) -> list[tuple[str, str]]:
    """The corpus originals a translation can be of; the first leaves it to the file."""
    own = f"As the file says: a translation of {declared}" if declared else "None: not a translation"
    return [(own, AS_THE_FILE), *((path, path) for path in originals)]


class CorpusTab:
    """The documents: add, remove, and the index rebuilt in the background, with its progress."""

    def __init__(self, console: StaffConsole, notice: gr.Markdown) -> None:
        self.console = console
        self.notice = notice
        with gr.Tab("Corpus", id="corpus"):
            self.status = gr.Markdown(describe(console.corpus.status()), elem_id="rebuild-status")
            self.documents = gr.Dataframe(label="Documents", interactive=False, elem_id="documents-table")
            with gr.Row():
                with gr.Column():
                    megabytes = console.max_upload_bytes // (1024 * 1024)
                    self.upload = gr.File(label=f"Add a document (.md, .txt, .html, .pdf; at most {megabytes} MB)",
                                          file_types=UPLOAD_TYPES, type="filepath", elem_id="upload-file")
                    self.title = gr.Textbox(label="Title (optional)", elem_id="upload-title")
                    self.url = gr.Textbox(label="Web page it comes from (optional)", elem_id="upload-url")
                    with gr.Row():
                        self.language = gr.Dropdown(label="Its language", choices=language_choices(),
                                                    value=AS_THE_FILE, elem_id="upload-language")
                        self.original = gr.Dropdown(label="A translation of (quoted to visitors in its language)",
                                                    choices=original_choices([]), value=AS_THE_FILE,
                                                    elem_id="upload-original")
                    self.replace = gr.Checkbox(label="Replace a document of the same name", elem_id="upload-replace")
                    self.add = gr.Button("Add document", variant="primary", elem_id="upload-button")
                with gr.Column():
                    self.to_remove = gr.Dropdown(label="Remove a document", choices=[], elem_id="remove-choice")
                    self.remove = gr.Button("Remove document", variant="stop", elem_id="remove-button")
                    self.rebuild = gr.Button("Rebuild the index now", elem_id="rebuild-button")
            self.timer = gr.Timer(1.0, active=False)

    def wire(self, curated_table: gr.Dataframe) -> None:
        """Connect the events; `curated_table` is refreshed when a rebuild ends (sources may have gone)."""
        self.curated_table = curated_table
        changed = [self.notice, self.status, self.documents, self.to_remove, self.original, self.timer]
        self.upload.change(self.show_declared, [self.upload], [self.language, self.original], **FAST)
        self.add.click(self.add_document, [self.upload, self.title, self.url, self.language, self.original,
                                           self.replace], [*changed, self.upload, self.language],
                       api_visibility="private")
        self.remove.click(self.remove_document, [self.to_remove], changed, api_visibility="private")
        self.rebuild.click(self.start_rebuild, None, changed, api_visibility="private")
        self.timer.tick(self.tick, None, [self.status, self.documents, self.to_remove, self.original, self.timer,
                                          curated_table, self.notice], **FAST)

    def view(self) -> Updates:
        """The documents table, the names to remove and the originals a translation can be of."""
        table = self.console.documents_table()
        return {self.documents: table, self.to_remove: gr.Dropdown(choices=list(table["document"]), value=None),
                self.original: gr.Dropdown(choices=original_choices(self.console.corpus.originals()))}

    def show_declared(self, path: str | None) -> Updates:
        """Once a file is chosen, what its own front matter says: the choices left "as the file says"."""
        declared = self.console.corpus.declared_by(path) if path else {}
        return {self.language: gr.Dropdown(choices=language_choices(declared.get("language"))),
                self.original: gr.Dropdown(choices=original_choices(self.console.corpus.originals(),
                                                                    declared.get("translation_of")))}

    def _changed(self, message: str) -> Updates:
        """After a change: the message, the rebuild status, the documents, and the timer on to follow it."""
        return {self.notice: message, self.status: describe(self.console.corpus.status()), **self.view(),
                self.timer: gr.Timer(active=True)}

    def add_document(self, path: str | None, title: str, url: str, language: str | None, original: str | None,
                     replace: bool) -> Updates:
        if not path:
            return {self.notice: "⚠ Choose a file first."}
        try:
            message = self.console.corpus.add(path, Path(path).name, title=title or "", source_url=url or "",
                                              language=language or "", translation_of=original or "",
                                              replace=bool(replace))
        except UploadRefused as error:  # the choices stay, for staff to fix the wrong one
            return {self.notice: f"✗ {error}", self.upload: None}
        finally:  # Gradio's upload cache is shared with the visitor app: keep no staff file there
            Path(path).unlink(missing_ok=True)
        changed = self._changed(f"✓ {message}")
        changed[self.original] = gr.Dropdown(choices=original_choices(self.console.corpus.originals()),
                                             value=AS_THE_FILE)
        return {**changed, self.upload: None, self.language: gr.Dropdown(choices=language_choices(),
                                                                         value=AS_THE_FILE)}

    def remove_document(self, name: str | None) -> Updates:
        if not name:
            return {self.notice: "⚠ Choose the document to remove."}
        try:
            return self._changed(f"✓ {self.console.corpus.remove(name)}")
        except UploadRefused as error:
            return {self.notice: f"✗ {error}"}

    def start_rebuild(self) -> Updates:
        self.console.corpus.request_rebuild("requested by staff")
        return self._changed("Rebuild started.")

    def tick(self) -> Updates:
        """While a rebuild runs, its progress; once done, the new tables and the timer off."""
        status = self.console.corpus.status()
        if status["state"] == "running" or status["pending"]:
            return {self.status: describe(status), self.timer: gr.Timer(active=True)}
        # the change's "being rebuilt" notice gives way to how the rebuild ended
        return {self.status: describe(status), **self.view(), self.timer: gr.Timer(active=False),
                self.curated_table: self.console.curated_table(), self.notice: describe(status)}
