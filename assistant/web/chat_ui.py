"""The visitor chat page: the chat, the input row, thumbs with an optional comment, and clear.

Only layout and wiring: replies come from `ChatService`, their Markdown from `rendering`.
"""
from __future__ import annotations

from typing import Any, Literal

import gradio as gr
from gradio.blocks import Block
from gradio.components.chatbot import MessageDict, MetadataDict, NormalizedMessageDict, OptionDict

from assistant.answer.messages import (
    ASK_BUTTON,
    CHAT_TITLE,
    CHAT_WELCOME,
    CLEAR_BUTTON,
    COMMENT_BUTTON,
    COMMENT_LABEL,
    COMMENT_PLACEHOLDER,
    FEEDBACK_NOT_SAVED,
    QUESTION_LABEL,
    QUESTION_PLACEHOLDER,
    SOURCES_TITLE,
)
from assistant.ops.log_writer import anonymous_session
from assistant.settings import MAX_QUESTION_CHARS
from assistant.text import escape_markdown
from assistant.types import Reply
from assistant.web.chat_service import ChatService, History, rating_of, remember
from assistant.web.rendering import answer_markdown, shorten, sources_markdown

Messages = list[MessageDict | NormalizedMessageDict]  # the chatbot's value: ours out, Gradio's normalised form in
Updates = dict[Block, Any]  # named updates: component -> its new value or gr.update
COMMENT_CHARS = 2000
# "Like" and "Dislike" are Gradio's thumbs (shown as icons, sent as True/False): no visitor text
FEEDBACK_OPTIONS = ("Like", "Dislike")
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
# Inside the widget's iframe the panel has its own title bar: drop the page title and footer.
FRAME_JS = "() => { if (window.self !== window.top) document.body.classList.add('in-frame'); }"


def options(questions: list[str]) -> list[OptionDict]:
    return [{"value": q, "label": q} for q in questions]


def message(content: str, role: Literal["user", "assistant"] = "assistant", examples: list[str] | None = None,
            metadata: MetadataDict | None = None) -> MessageDict:
    """A chatbot message in the shape `gr.ChatMessage` gives (empty metadata and options when none)."""
    return {"role": role, "content": content, "metadata": metadata or {}, "options": options(examples or [])}


def reply_messages(reply: Reply) -> list[MessageDict]:
    """The answer (or decline with clickable examples) and, when answered, a collapsed Sources message."""
    if not reply.answered:
        return [message(reply.lead, examples=reply.examples)]  # the examples as buttons, not a list
    answer = message(answer_markdown(reply))
    if not reply.sources:
        return [answer]
    title = SOURCES_TITLE.format(count=len(reply.sources))
    return [answer, message(sources_markdown(reply.sources), metadata={"title": title, "status": "done"})]


def session_of(request: gr.Request | None) -> str:
    return anonymous_session(request.session_hash if request else None)


def message_index(index: Any) -> int:
    """The chatbot message a like points at (as sent by the browser); -1 (no message) for a forged index."""
    try:
        return int(index[0] if isinstance(index, (list, tuple)) else index)
    except (TypeError, ValueError, IndexError):
        return -1


class ChatPage:
    """The page's components, laid out inside the caller's Blocks, and their handlers."""

    def __init__(self, chat: ChatService, history: gr.State) -> None:
        self.chat = chat
        self.history = history  # plain-text turns for follow-ups, shared with the /chat API
        self.welcome = [message(CHAT_WELCOME, examples=chat.examples)]
        gr.Markdown(f"## {CHAT_TITLE}", elem_id="chat-title")
        self.chatbot = gr.Chatbot(
            value=list(self.welcome), elem_id="chatbot", label="Chat", show_label=False, height="68vh",
            min_height=320, layout="bubble", feedback_options=FEEDBACK_OPTIONS, sanitize_html=True,
            allow_tags=False, render_markdown=True, buttons=["copy"], group_consecutive_messages=True,
            latex_delimiters=[],
        )
        with gr.Row(elem_id="ask-row"):
            self.question = gr.Textbox(label=QUESTION_LABEL, show_label=False, placeholder=QUESTION_PLACEHOLDER,
                                       scale=5, max_lines=4, autofocus=True, elem_id="question", container=False)
            self.ask_button = gr.Button(ASK_BUTTON, variant="primary", scale=0, min_width=80, elem_id="ask-button")
        with gr.Group(visible=False, elem_id="comment-box") as self.comment_box:
            self.comment = gr.Textbox(label=COMMENT_LABEL, max_lines=3, placeholder=COMMENT_PLACEHOLDER,
                                      elem_id="comment")
            self.comment_button = gr.Button(COMMENT_BUTTON, size="sm", elem_id="comment-button")
        self.clear_button = gr.Button(CLEAR_BUTTON, size="sm", variant="secondary", elem_id="clear-button")
        self.turns = gr.State({})  # chatbot message index -> logged turn id
        self.pending = gr.State("")  # the question being answered
        self.rated = gr.State("")  # turn id of the last thumbs, for the comment

    def wire(self, concurrency: int) -> None:
        """Every event private (only /chat is an API); answers share the "ask" pool with the API."""
        for trigger in (self.question.submit, self.ask_button.click):
            trigger(self.take_question, [self.question, self.chatbot], [self.question, self.chatbot, self.pending],
                    queue=False, api_visibility="private").then(**self._answering(concurrency))
        self.chatbot.option_select(self.take_option, [self.chatbot], [self.chatbot, self.pending], queue=False,
                                   api_visibility="private").then(**self._answering(concurrency))
        self.chatbot.like(self.on_like, [self.turns], [self.rated, self.comment_box], queue=False,
                          api_visibility="private")
        for trigger in (self.comment_button.click, self.comment.submit):
            trigger(self.on_comment, [self.comment, self.rated], [self.comment, self.comment_box], queue=False,
                    api_visibility="private")
        for trigger in (self.clear_button.click, self.chatbot.clear):
            trigger(self.clear, None, [self.chatbot, self.history, self.turns, self.rated, self.comment_box],
                    queue=False, api_visibility="private")

    def _answering(self, concurrency: int) -> dict[str, Any]:
        return {"fn": self.answer, "inputs": [self.pending, self.chatbot, self.history, self.turns],
                "outputs": [self.chatbot, self.history, self.turns], "show_progress": "minimal",
                "concurrency_limit": concurrency, "concurrency_id": "ask", "api_visibility": "private"}

    @staticmethod
    def take_question(text: str, messages: Messages) -> tuple[str, Messages, str]:
        """Show the question at once and clear the box; the answer follows."""
        text = (text or "").strip()
        shown = message(escape_markdown(shorten(text, MAX_QUESTION_CHARS)) or "…", role="user")
        return "", [*messages, shown], text

    def take_option(self, messages: Messages, selection: gr.SelectData) -> tuple[Messages, str]:
        _, shown, text = self.take_question(str(selection.value), messages)
        return shown, text

    def answer(self, text: str, messages: Messages, past: History, known: dict[int, str],
               request: gr.Request) -> tuple[Messages, History, dict[int, str]]:
        reply, turn_id = self.chat.ask(text, past, session_of(request), channel="web")
        new = reply_messages(reply)
        known = dict(known or {})
        for offset in range(len(new)):
            known[len(messages) + offset] = turn_id
        return [*messages, *new], remember(past, text, reply), known

    def on_like(self, known: dict[int, str], data: gr.LikeData, request: gr.Request) -> Updates:
        turn_id = (known or {}).get(message_index(data.index), "")
        rating = rating_of(data.liked)
        if not turn_id or rating is None:
            return {self.rated: "", self.comment_box: gr.Group(visible=False)}
        if not self.chat.rate(turn_id, session_of(request), rating=rating):
            gr.Warning(FEEDBACK_NOT_SAVED)
            return {self.rated: "", self.comment_box: gr.Group(visible=False)}
        return {self.rated: turn_id, self.comment_box: gr.Group(visible=rating != "cleared")}

    def on_comment(self, text: str, turn_id: str, request: gr.Request) -> Updates:
        text = (text or "").strip()[:COMMENT_CHARS]
        if text and not self.chat.rate(turn_id, session_of(request), comment=text):
            gr.Warning(FEEDBACK_NOT_SAVED)
            return {self.comment: text, self.comment_box: gr.Group(visible=True)}  # kept, to send again
        return {self.comment: "", self.comment_box: gr.Group(visible=False)}

    def clear(self) -> Updates:
        return {self.chatbot: list(self.welcome), self.history: [], self.turns: {}, self.rated: "",
                self.comment_box: gr.Group(visible=False)}
