"""The visitor chat: a Gradio Blocks app over `Assistant.ask`, plus the widget files and the /chat API.

All UI code lives here and none of the retrieval logic: every reply comes from
`Assistant.ask`. Each turn is logged (anonymously) to the `ChatLog`, and thumbs
up/down and comments are attached to that turn; feedback is acknowledged only
once it is committed. Each visitor session may ask `RATE_LIMIT` questions per
`RATE_WINDOW` seconds; beyond that it gets a friendly "slow down" message.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.ops.chatlog import ChatLog
from assistant.ops.log_writer import anonymous_session
from assistant.pipeline import clean_question
from assistant.settings import HISTORY_MESSAGES, MAX_QUESTION_CHARS
from assistant.types import Reply, ReplyKind, Source

log = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parents[2] / "widget"
DEFAULT_CONCURRENCY = 4
PASSAGE_CHARS = 400
RATE_LIMIT = 30  # questions per session ...
RATE_WINDOW = 60.0  # ... per this many seconds
RATE_LIMITED = ("You are asking faster than I can read: please wait {seconds} seconds, "
                "then ask again. (At most {limit} questions a minute.)")
LOGGED_QUESTION_CHARS = 2 * MAX_QUESTION_CHARS  # a 50 kB paste is logged cut, with its full length
RATINGS = {True: "up", False: "down", None: "cleared", "like": "up", "dislike": "down"}
FEEDBACK_NOT_SAVED = "Sorry, your feedback could not be saved just now. Please try again."
UPLOAD_LIMIT = "1mb"  # the visitor chat takes no files; Gradio's own upload route is refused anyway
TITLE = "Ask the Sustainable Cashmere Union"
WELCOME = (
    "**Hello!** I answer questions about the **Sustainable Cashmere Union**: its herder cooperatives "
    "in Mongolia and its partners (AVSF, NAMAC). I reply only by quoting the union's own texts, "
    "with the source, and I say so when they don't answer. You can ask in English, French, "
    "Mongolian, German or Spanish.\n\nTry one of these:"
)
API_DESCRIPTION = (
    "Ask a question; get the quoted answer (Markdown, with its citation) and its sources "
    "(none when it declines). The conversation is kept per client session, so follow-ups work."
)
CSS = """
.gradio-container { max-width: 860px !important; margin: 0 auto !important; }
#ask-row { flex-wrap: nowrap; gap: 8px; align-items: stretch; }
#ask-row > #question { min-width: 0 !important; flex: 1 1 auto; }
#ask-row > #ask-button { flex: 0 0 auto; }
.in-frame #chat-title, .in-frame footer { display: none !important; }
@media (max-width: 480px) {
  .gradio-container { padding: 4px !important; }
  #chat-title h2 { font-size: 1.15rem; margin: 4px 0; }
}
"""
# System fonts: the page makes no request to any third-party host.
THEME = gr.themes.Soft(
    primary_hue="amber",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)
# Inside the widget's iframe the panel has its own title bar: drop the page title and footer.
FRAME_JS = "() => { if (window.self !== window.top) document.body.classList.add('in-frame'); }"
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+!|~&-])")


# ---------------------------------------------------------------- formatting


def as_text(text: str) -> str:
    """Visitor or corpus text shown as text: Markdown and HTML characters lose their meaning."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def safe_url(url: str | None) -> str | None:
    """Only plain web links become clickable (no javascript: or data: URLs)."""
    if url and re.match(r"^https?://[^\s()<>]+$", url):
        return url
    return None


def source_label(source: Source) -> str:
    """The heading path ("Our partners > AVSF"), led by the title when the path lacks it."""
    section, title = source.section or "", source.title or ""
    if not section:
        return title or source.path
    return section if not title or section.startswith(title) else f"{title} > {section}"


def citation(source: Source) -> str:
    """'Source: Our partners > AVSF', linked to the page when its URL is known."""
    label = as_text(source_label(source))
    url = safe_url(source.url)
    return f"Source: [{label}]({url})" if url else f"Source: {label}"


def answer_markdown(reply: Reply) -> str:
    """The core's Markdown (already escaped corpus text) plus the citation line when answered."""
    if reply.answered and reply.sources:
        return f"{reply.text}\n\n{citation(reply.sources[0])}"
    return reply.text


def shorten(text: str, limit: int = PASSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def sources_markdown(sources: list[Source]) -> str:
    """One numbered entry per passage: its section (linked), relevance, then the passage itself."""
    entries = []
    for number, source in enumerate(sources, start=1):
        label = as_text(source_label(source))
        url = safe_url(source.url)
        heading = f"[{label}]({url})" if url else label
        entries.append(f"{number}. **{heading}** · relevance {source.score:.2f}\n\n"
                       f"    > {as_text(shorten(source.text))}")
    return "\n\n".join(entries)


def sources_payload(sources: list[Source]) -> list[dict[str, Any]]:
    """The sources as plain data for API clients ("document", not "path": gradio_client
    would take a dict with a "path" key for a file to download)."""
    return [
        {"title": s.title, "section": s.section, "text": s.text, "document": s.path,
         "url": s.url, "score": round(float(s.score), 4), "chunk_id": s.chunk_id}
        for s in sources
    ]


def options(questions: list[str]) -> list[dict[str, str]]:
    return [{"value": q, "label": q} for q in questions]


def welcome_message(examples: list[str]) -> gr.ChatMessage:
    return gr.ChatMessage(role="assistant", content=WELCOME, options=options(examples))


def unlisted(text: str, examples: list[str]) -> str:
    """The decline without its "- example" lines: the chat shows them as buttons instead."""
    listed = {f"- {example}" for example in examples}
    return "\n".join(line for line in text.split("\n") if line.strip() not in listed)


def reply_messages(reply: Reply) -> list[gr.ChatMessage]:
    """The answer (or decline with clickable examples) and, when answered, a collapsed Sources message."""
    if not reply.answered:
        text = unlisted(reply.text, reply.examples) if reply.examples else reply.text
        return [gr.ChatMessage(role="assistant", content=text, options=options(reply.examples))]
    answer = gr.ChatMessage(role="assistant", content=answer_markdown(reply))
    if not reply.sources:
        return [answer]
    sources = gr.ChatMessage(
        role="assistant", content=sources_markdown(reply.sources),
        metadata={"title": f"Sources ({len(reply.sources)})", "status": "done"},
    )
    return [answer, sources]


def welcome_examples(bot: Any) -> list[str]:
    """The core's 4-6 welcome examples (they include a French and a Mongolian one)."""
    return list(bot.example_questions(language="en"))[:6]


# ---------------------------------------------------------------- the chat


class RateLimit:
    """At most `limit` events per `window` seconds per key (a visitor session), in a sliding window."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._recent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_needed(self, key: str) -> float:
        """0 and the event counted when allowed; otherwise the seconds until the next is allowed."""
        now = time.monotonic()
        with self._lock:
            if len(self._recent) > 10_000:
                self._forget_idle(now)
            recent = self._recent.setdefault(key, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return recent[0] + self.window - now
            recent.append(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop sessions with nothing in the window."""
        self._recent = {key: times for key, times in self._recent.items() if times and times[-1] > now - self.window}


class Chat:
    """Turns a question into chat messages, logging the turn; shared by the UI and the /chat API."""

    def __init__(self, bot: Any, chatlog: ChatLog):
        self.bot = bot
        self.chatlog = chatlog
        self.examples = welcome_examples(bot)
        self.rate_limit = RateLimit()

    def ask(self, question: str, history: list[dict], session: str, channel: str) -> tuple[Reply, str]:
        """Ask the core, then log the turn; returns the reply and the saved turn id for feedback
        ("" when the turn was not logged: too fast, or the log failed)."""
        wait = self.rate_limit.wait_needed(session)
        if wait:
            log.warning("session %s is over the rate limit", session)
            text = RATE_LIMITED.format(seconds=max(1, round(wait)), limit=self.rate_limit.limit)
            return Reply(False, text, kind=ReplyKind.RATE_LIMITED), ""
        started = time.perf_counter()
        reply = self.bot.ask(question or "", history=list(history or []))
        latency_ms = (time.perf_counter() - started) * 1000
        turn_id = self._log(question, reply, session, channel, latency_ms, history)
        return reply, turn_id

    def _log(self, question: str, reply: Reply, session: str, channel: str, latency_ms: float,
             history: list[dict] | None = None) -> str:
        """The turn with what staff need to re-open it: sources with their text, the rewritten
        query, the conversation it leaned on, and the retrieval trace."""
        try:
            return self.chatlog.log_turn(
                session=session, channel=channel, question=logged_question(question), answer=reply.text,
                answered=reply.answered, language=reply.language, latency_ms=latency_ms,
                sources=[{"chunk_id": s.chunk_id, "path": s.path, "section": s.section,
                          "score": round(float(s.score), 4), "title": s.title, "text": s.text, "url": s.url}
                         for s in reply.sources],
                query=reply.query, history=list(history or []), trace=reply.trace,
            )
        except Exception:  # never let the log break a reply
            log.exception("could not log the chat turn")
            return ""

    def rate(self, turn_id: str, session: str, rating: str | None = None, comment: str | None = None) -> bool:
        """Save a thumbs or a comment; True once it is committed (only then is it acknowledged)."""
        if not turn_id:
            return False
        try:
            return self.chatlog.log_feedback(turn_id=turn_id, session=session, rating=rating, comment=comment)
        except Exception:
            log.exception("could not save the feedback row")
            return False


def logged_question(question: Any) -> str:
    """The question as typed, cut for the log when huge (the log keeps its full length)."""
    text = question if isinstance(question, str) else ""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate would fail the SQLite write
    if len(text) <= LOGGED_QUESTION_CHARS:
        return text
    return f"{text[:LOGGED_QUESTION_CHARS]} … [{len(text):,} characters in all]"


def remember(history: list[dict], question: str, reply: Reply) -> list[dict]:
    """The plain-text conversation the core reads for follow-ups, capped in length. Input help
    (empty, too long, too fast) is left out: a follow-up must never drag a 50 kB paste into a search."""
    if not reply.answered and not reply.query:
        return list(history or [])
    turn = [{"role": "user", "content": clean_question(question)[:MAX_QUESTION_CHARS]},
            {"role": "assistant", "content": reply.text}]
    return (list(history or []) + turn)[-HISTORY_MESSAGES:]


def session_of(request: gr.Request | None) -> str:
    return anonymous_session(getattr(request, "session_hash", None))


def rating_of(liked: Any) -> str | None:
    """Gradio sends True/False for the thumbs (or the option's text, or None when undone);
    anything else (a forged request) is no rating."""
    key = liked.lower() if isinstance(liked, str) else liked
    return RATINGS.get(key) if isinstance(key, (bool, str, type(None))) else None


def message_index(index: Any) -> int:
    try:
        return int(index[0] if isinstance(index, (list, tuple)) else index)
    except (TypeError, ValueError, IndexError):
        return -1  # a forged index points at no message


def build_demo(bot: Any, chatlog: ChatLog, concurrency: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The Blocks app: chat, input row, clear, optional comment, and the hidden /chat API."""
    chat = Chat(bot, chatlog)
    welcome = [welcome_message(chat.examples)]

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"## {TITLE}", elem_id="chat-title")
        chatbot = gr.Chatbot(
            value=welcome, elem_id="chatbot", label="Chat", show_label=False, height="68vh",
            min_height=320, layout="bubble", feedback_options=("Like", "Dislike"),
            sanitize_html=True, allow_tags=False, render_markdown=True, buttons=["copy"],
            group_consecutive_messages=True, latex_delimiters=[],
        )
        with gr.Row(elem_id="ask-row"):
            question = gr.Textbox(label="Your question", show_label=False, placeholder="Ask a question…",
                                  scale=5, max_lines=4, autofocus=True, elem_id="question", container=False)
            ask_button = gr.Button("Ask", variant="primary", scale=0, min_width=80, elem_id="ask-button")
        with gr.Group(visible=False, elem_id="comment-box") as comment_box:
            comment = gr.Textbox(label="Thanks! Anything to add? (optional)", max_lines=3,
                                 placeholder="What was wrong or missing?", elem_id="comment")
            comment_button = gr.Button("Send comment", size="sm", elem_id="comment-button")
        clear_button = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="clear-button")

        history = gr.State([])  # plain text turns for follow-ups
        turns = gr.State({})  # chatbot message index -> logged turn id
        pending = gr.State("")  # the question being answered
        rated = gr.State("")  # turn id of the last thumbs, for the comment

        def take_question(text: str, messages: list) -> tuple:
            """Show the question at once and clear the box; the answer follows."""
            text = (text or "").strip()
            shown = gr.ChatMessage(role="user", content=as_text(shorten(text, MAX_QUESTION_CHARS)) or "…")
            return "", messages + [shown], text

        def take_option(messages: list, selection: gr.SelectData) -> tuple:
            return take_question(str(selection.value), messages)[1:]

        def answer(text: str, messages: list, past: list, known: dict, request: gr.Request) -> tuple:
            reply, turn_id = chat.ask(text, past, session_of(request), channel="web")
            new = reply_messages(reply)
            known = dict(known or {})
            for offset in range(len(new)):
                known[len(messages) + offset] = turn_id
            return messages + new, remember(past, text, reply), known

        def on_like(known: dict, data: gr.LikeData, request: gr.Request) -> tuple:
            turn_id = (known or {}).get(message_index(data.index), "")
            rating = rating_of(data.liked)
            if not turn_id or rating is None:
                return "", gr.Group(visible=False)
            if not chat.rate(turn_id, session_of(request), rating=rating):
                gr.Warning(FEEDBACK_NOT_SAVED)
                return "", gr.Group(visible=False)
            return turn_id, gr.Group(visible=rating != "cleared")

        def on_comment(text: str, turn_id: str, request: gr.Request) -> tuple:
            text = (text or "").strip()[:2000]
            if text and not chat.rate(turn_id, session_of(request), comment=text):
                gr.Warning(FEEDBACK_NOT_SAVED)
                return text, gr.Group(visible=True)  # nothing lost: the comment stays to send again
            return "", gr.Group(visible=False)

        def clear() -> tuple:
            return welcome, [], {}, "", gr.Group(visible=False)

        def api_chat(text: str, past: list, request: gr.Request) -> tuple:
            """The /chat endpoint: the answer (Markdown with its citation) and the sources as data."""
            reply, _ = chat.ask(text, past, session_of(request), channel="api")
            sources = sources_payload(reply.sources) if reply.answered else []
            return answer_markdown(reply), sources, remember(past, text, reply)

        private = {"api_visibility": "private"}
        # The web chat and the API share one pool of `concurrency` answers at a time (Gradio's default: 1).
        asking = {"concurrency_limit": concurrency, "concurrency_id": "ask"}
        answer_io = dict(fn=answer, inputs=[pending, chatbot, history, turns],
                         outputs=[chatbot, history, turns], show_progress="minimal", **asking, **private)
        for trigger in (question.submit, ask_button.click):
            trigger(take_question, [question, chatbot], [question, chatbot, pending],
                    queue=False, **private).then(**answer_io)
        chatbot.option_select(take_option, [chatbot], [chatbot, pending], queue=False,
                              **private).then(**answer_io)
        chatbot.like(on_like, [turns], [rated, comment_box], queue=False, **private)
        for trigger in (comment_button.click, comment.submit):
            trigger(on_comment, [comment, rated], [comment, comment_box], queue=False, **private)
        for trigger in (clear_button.click, chatbot.clear):
            trigger(clear, None, [chatbot, history, turns, rated, comment_box], queue=False, **private)

        api_question = gr.Textbox(visible=False, label="question")
        api_answer = gr.Markdown(visible=False, label="answer")
        api_sources = gr.JSON(visible=False, label="sources")
        api_trigger = gr.Button(visible=False)
        api_trigger.click(api_chat, [api_question, history], [api_answer, api_sources, history],
                          api_name="chat", api_description=API_DESCRIPTION, **asking)

    demo.queue(default_concurrency_limit=concurrency, max_size=64)
    return demo


# ---------------------------------------------------------------- serving


def create_app(bot: Any, chatlog: ChatLog, *, concurrency: int = DEFAULT_CONCURRENCY,
               cors_origins: list[str] | None = None, staff: Callable[[FastAPI], Any] | None = None) -> FastAPI:
    """The web app: the widget files under /widget, the staff console (when `staff` mounts it,
    e.g. `lambda app: mount_staff(app, console)`) and the chat at /.

    Gradio serves no file of ours: no allowed paths, and the data, index and corpus folders
    blocked outright; its upload route is refused (visitors send no files), run history and
    monitoring are off."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/gradio_api/upload", include_in_schema=False)
    def no_visitor_uploads() -> JSONResponse:
        return JSONResponse({"detail": "The chat takes no files."}, status_code=403)

    if cors_origins:  # sites allowed to call the API from their own pages (the iframe needs none)
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["*"], allow_credentials=False)
    app.mount("/widget", StaticFiles(directory=WIDGET_DIR, html=True), name="widget")
    if staff is not None:  # before "/": the chat's mount would otherwise catch /staff
        staff(app)
    demo = build_demo(bot, chatlog, concurrency)
    app.state.demo = demo  # for inspection (tests, health checks)
    private = [str(Path(folder).resolve()) for folder in (chatlog.path.parent, bot.index_dir, bot.corpus_dir)]
    return gr.mount_gradio_app(app, demo, path="/", footer_links=["api"], enable_monitoring=False,
                               run_history=False, ssr_mode=False, theme=THEME, css=CSS, js=FRAME_JS,
                               allowed_paths=[], blocked_paths=private, max_file_size=UPLOAD_LIMIT)


class BackgroundServer:
    """Serve the app from a thread (tests, notebooks); `stop` shuts it down cleanly."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 7860):
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
