"""The visitor chat app as served: the chat page and the /chat API in one Gradio app, the widget
files under /widget (and its texts), the staff console when asked for, and a background server for tests.

Gradio serves no file of ours: no allowed paths, the data, index and corpus folders blocked
outright, its upload route refused (visitors send no files), run history and monitoring off.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import hashlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from assistant.answer.messages import API_DESCRIPTION, CHAT_TITLE, NO_FILES
from assistant.ops.chatlog import ChatLog
from assistant.pipeline import Assistant
from assistant.types import Source
from assistant.web.chat_assets import CSS, PAGE_JS
from assistant.web.chat_service import ChatService, History, remember
from assistant.web.chat_ui import ChatPage, session_of
from assistant.web.health import add_health
from assistant.web.page_language import I18N, widget_texts
from assistant.web.rendering import answer_markdown
from assistant.web.theme import THEME

WIDGET_DIR = Path(__file__).resolve().parents[2] / "widget"
DEFAULT_CONCURRENCY = 4
QUEUE_SIZE = 64
UPLOAD_LIMIT = "1mb"  # the visitor chat takes no files; Gradio's own upload route is refused anyway
WIDGET_TEXTS = json.dumps(widget_texts(), ensure_ascii=False, separators=(",", ":")).encode()
WIDGET_TEXTS_TAG = f'"{hashlib.sha256(WIDGET_TEXTS).hexdigest()[:20]}"'


def sources_payload(sources: list[Source]) -> list[dict[str, Any]]:
    """The sources as plain data for API clients ("document", not "path": gradio_client
    would take a dict with a "path" key for a file to download)."""
    return [
        {"title": s.title, "section": s.section, "text": s.text, "document": s.path,
         "url": s.url, "score": round(float(s.score), 4), "chunk_id": s.chunk_id}
        for s in sources
    ]


def add_widget_texts(app: FastAPI) -> None:
    """/widget/texts.json: the widget's texts in every language, from messages.toml, read by its script on
    the union's site. Any site may read them (public texts, no credentials); the browser revalidates them
    by ETag, as it does the widget's static files, so an edited translation shows at the next page view."""

    @app.get("/widget/texts.json", include_in_schema=False)
    def texts(request: Request) -> Response:
        headers = {"ETag": WIDGET_TEXTS_TAG, "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
        if request.headers.get("if-none-match") == WIDGET_TEXTS_TAG:
            return Response(status_code=304, headers=headers)
        return Response(WIDGET_TEXTS, media_type="application/json", headers=headers)


def add_chat_api(chat: ChatService, history: gr.State, concurrency: int) -> None:
    """The /chat endpoint, in the caller's Blocks: a question in; the answer (Markdown with its
    citation) and the sources as data out. Follow-ups read the client session's `history`."""

    def api_chat(text: str, past: History, request: gr.Request) -> tuple[str, list[dict[str, Any]], History]:
        reply, _ = chat.ask(text, past, session_of(request), channel="api")
        sources = sources_payload(reply.sources) if reply.answered else []
        return answer_markdown(reply), sources, remember(past, text, reply)

    question = gr.Textbox(visible=False, label="question")
    answer = gr.Markdown(visible=False, label="answer")
    sources = gr.JSON(visible=False, label="sources")
    trigger = gr.Button(visible=False)
    trigger.click(api_chat, [question, history], [answer, sources, history], api_name="chat",
                  api_description=API_DESCRIPTION, concurrency_limit=concurrency, concurrency_id="ask")


def build_demo(bot: Assistant, chatlog: ChatLog, concurrency: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The chat page and the /chat API; the page and the API share one pool of `concurrency`
    answers at a time (Gradio's default would be 1)."""
    chat = ChatService(bot, chatlog)
    demo = gr.Blocks(title=CHAT_TITLE, analytics_enabled=False)
    with demo:
        history = gr.State([])
        page = ChatPage(chat, history)
        page.wire(concurrency)
        page.restore_on(demo)
        add_chat_api(chat, history, concurrency)
    demo.queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)
    return demo


def create_app(bot: Assistant, chatlog: ChatLog, *, concurrency: int = DEFAULT_CONCURRENCY,
               cors_origins: list[str] | None = None, staff: Callable[[FastAPI], object] | None = None) -> FastAPI:
    """The web app: the widget files under /widget, the staff console (when `staff` mounts it,
    e.g. `lambda app: mount_staff(app, console)`) and the chat at /."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/gradio_api/upload", include_in_schema=False)
    def no_visitor_uploads() -> JSONResponse:
        return JSONResponse({"detail": NO_FILES}, status_code=403)

    add_health(app, bot, chatlog)
    if cors_origins:  # sites allowed to call the API from their own pages (the iframe needs none)
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["*"], allow_credentials=False)
    add_widget_texts(app)  # before the mount, which would answer every /widget/ path
    app.mount("/widget", StaticFiles(directory=WIDGET_DIR, html=True), name="widget")
    if staff is not None:  # before "/": the chat's mount would otherwise catch /staff
        staff(app)
    demo = build_demo(bot, chatlog, concurrency)
    app.state.demo = demo  # for inspection (tests, health checks)
    private = [str(Path(folder).resolve()) for folder in (chatlog.path.parent, bot.index_dir, bot.corpus_dir)]
    served: FastAPI = gr.mount_gradio_app(app, demo, path="/", footer_links=[], enable_monitoring=False,
                                          run_history=False, ssr_mode=False, theme=THEME, css=CSS, js=PAGE_JS,
                                          i18n=I18N, allowed_paths=[], blocked_paths=private,
                                          max_file_size=UPLOAD_LIMIT)
    return served


class BackgroundServer:
    """Serve the app from a thread (tests, notebooks); `stop` shuts it down cleanly."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 7860) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.url = f"http://{host}:{port}/"
        self.thread = threading.Thread(target=self.server.run, name="chat-server", daemon=True)

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the chat server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
