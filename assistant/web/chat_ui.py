"""The visitor chat page: the chat, the input row, thumbs with an optional comment, and clear.

Only layout and wiring: replies come from `ChatService`, their Markdown from `rendering`, the page's
CSS and scripts from `chat_assets`.
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
    COMMENT_THANKS,
    FEEDBACK_NOT_SAVED,
    QUESTION_LABEL,
    QUESTION_PLACEHOLDER,
    SOURCES_TITLE,
    in_language,
    with_examples,
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
    title = in_language(SOURCES_TITLE, reply.language).format(count=len(reply.sources))
    return [answer, message(sources_markdown(reply.sources), metadata={"title": title, "status": "done"})]


def settle_examples(messages: Messages) -> list[Any]:
    """Example buttons show under the last message only: before a new question, an earlier reply's
    examples become a plain list in its text, so its "For example:" is never left dangling."""
    settled: list[Any] = []
    for shown in messages:
        examples = [escape_markdown(str(option.get("value", ""))) for option in shown.get("options") or []]
        content: Any = shown.get("content")
        if examples and isinstance(content, str):
            content = with_examples(content, examples)
        elif examples and isinstance(content, list) and content and "text" in content[-1]:
            content = [*content[:-1], {**content[-1], "text": with_examples(content[-1]["text"], examples)}]
        settled.append({**shown, "content": content, "options": []} if examples else shown)
    return settled


def session_of(request: gr.Request | None) -> str:
    return anonymous_session(request.session_hash if request else None)


def channel_of(request: gr.Request | None) -> str:
    """"widget" for the chat opened by the website widget (its address carries ?channel=widget)."""
    params = getattr(request, "query_params", None) or {}
    return "widget" if params.get("channel") == "widget" else "web"


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
        # right under the messages the thumbs were given to, not below the input
        with gr.Group(visible=False, elem_id="comment-box") as self.comment_box:
            self.comment = gr.Textbox(label=COMMENT_LABEL, max_lines=3, placeholder=COMMENT_PLACEHOLDER,
                                      elem_id="comment")
            self.comment_button = gr.Button(COMMENT_BUTTON, size="sm", elem_id="comment-button")
        self.comment_thanks = gr.Markdown(COMMENT_THANKS, visible=False, elem_id="comment-thanks")
        with gr.Row(elem_id="ask-row"):
            self.question = gr.Textbox(label=QUESTION_LABEL, show_label=False, placeholder=QUESTION_PLACEHOLDER,
                                       scale=5, max_lines=4, autofocus=True, elem_id="question", container=False)
            self.ask_button = gr.Button(ASK_BUTTON, variant="primary", scale=0, min_width=80, elem_id="ask-button")
        self.clear_button = gr.Button(CLEAR_BUTTON, size="sm", variant="secondary", elem_id="clear-button")
        # the conversation kept in the visitor's browser (encrypted), so that a reload does not lose it
        self.saved = gr.BrowserState({}, storage_key="cashmere-chat")
        self.turns = gr.State({})  # chatbot message index -> logged turn id
        self.pending = gr.State("")  # the question being answered
        self.rated = gr.State("")  # turn id of the last thumbs, for the comment

    def wire(self, concurrency: int) -> None:
        """Every event private (only /chat is an API); answers share the "ask" pool with the API."""
        feedback = [self.comment_box, self.comment_thanks]
        for trigger in (self.question.submit, self.ask_button.click):
            trigger(self.take_question, [self.question, self.chatbot, self.comment],
                    [self.question, self.chatbot, self.pending, *feedback],
                    queue=False, api_visibility="private").then(**self._answering(concurrency))
        self.chatbot.option_select(self.take_option, [self.chatbot, self.comment],
                                   [self.chatbot, self.pending, *feedback],
                                   queue=False, api_visibility="private").then(**self._answering(concurrency))
        self.chatbot.like(self.on_like, [self.turns], [self.rated, *feedback], queue=False, api_visibility="private")
        for trigger in (self.comment_button.click, self.comment.submit):
            trigger(self.on_comment, [self.comment, self.rated], [self.comment, *feedback], queue=False,
                    api_visibility="private")
        self.clear_button.click(self.clear, None, [self.chatbot, self.history, self.turns, self.saved, self.rated,
                                                   self.comment, *feedback], queue=False, api_visibility="private")

    def restore_on(self, demo: gr.Blocks) -> None:
        """When the page (re)loads, bring back the conversation the browser kept."""
        demo.load(self.restore, [self.saved], [self.chatbot, self.history, self.turns], queue=False,
                  api_visibility="private")

    def _answering(self, concurrency: int) -> dict[str, Any]:
        return {"fn": self.answer, "inputs": [self.pending, self.chatbot, self.history, self.turns],
                "outputs": [self.chatbot, self.history, self.turns, self.saved], "show_progress": "minimal",
                "concurrency_limit": concurrency, "concurrency_id": "ask", "api_visibility": "private"}

    @staticmethod
    def take_question(text: str, messages: Messages, comment: str) -> tuple[str, Messages, str, Any, Any]:
        """Show the question at once and clear the box; the answer follows. An earlier comment's thanks goes,
        and so does its box, unless a comment is being written there (it would be lost)."""
        text = (text or "").strip()
        shown = message(escape_markdown(shorten(text, MAX_QUESTION_CHARS)) or "…", role="user")
        drafting = bool((comment or "").strip())
        return "", [*settle_examples(messages), shown], text, gr.Group(visible=drafting), gr.Markdown(visible=False)

    def take_option(self, messages: Messages, comment: str, selection: gr.SelectData) -> tuple[Any, ...]:
        return self.take_question(str(selection.value), messages, comment)[1:]

    def answer(self, text: str, messages: Messages, past: History, known: dict[int, str],
               request: gr.Request) -> tuple[Messages, History, dict[int, str], dict[str, Any]]:
        reply, turn_id = self.chat.ask(text, past, session_of(request), channel=channel_of(request))
        new = reply_messages(reply)
        known = dict(known or {})
        for offset in range(len(new)):
            known[len(messages) + offset] = turn_id
        messages, past = [*messages, *new], remember(past, text, reply)
        saved = {"messages": messages, "history": past, "turns": {str(i): turn for i, turn in known.items()}}
        return messages, past, known, saved

    def restore(self, saved: Any) -> tuple[Messages, History, dict[int, str]]:
        """The kept conversation, or the welcome when there is none (or it is not one we wrote)."""
        try:
            messages, past = list(saved["messages"]), list(saved["history"])
            known = {int(index): str(turn) for index, turn in dict(saved["turns"]).items()}
        except (TypeError, KeyError, ValueError):
            return list(self.welcome), [], {}
        return (messages, past, known) if messages else (list(self.welcome), [], {})

    def on_like(self, known: dict[int, str], data: gr.LikeData, request: gr.Request) -> Updates:
        turn_id = (known or {}).get(message_index(data.index), "")
        rating = rating_of(data.liked)
        closed = {self.comment_box: gr.Group(visible=False), self.comment_thanks: gr.Markdown(visible=False)}
        if not turn_id or rating is None:
            return {self.rated: "", **closed}
        if not self.chat.rate(turn_id, session_of(request), rating=rating):
            gr.Warning(FEEDBACK_NOT_SAVED)
            return {self.rated: "", **closed}
        return {**closed, self.rated: turn_id, self.comment_box: gr.Group(visible=rating != "cleared")}

    def on_comment(self, text: str, turn_id: str, request: gr.Request) -> Updates:
        text = (text or "").strip()[:COMMENT_CHARS]
        if text and not self.chat.rate(turn_id, session_of(request), comment=text):
            gr.Warning(FEEDBACK_NOT_SAVED)
            return {self.comment: text, self.comment_box: gr.Group(visible=True),  # kept, to send again
                    self.comment_thanks: gr.Markdown(visible=False)}
        return {self.comment: "", self.comment_box: gr.Group(visible=False),
                self.comment_thanks: gr.Markdown(visible=bool(text))}  # said only once it is saved

    def clear(self) -> Updates:
        return {self.chatbot: list(self.welcome), self.history: [], self.turns: {}, self.saved: {}, self.rated: "",
                self.comment: "", self.comment_box: gr.Group(visible=False),
                self.comment_thanks: gr.Markdown(visible=False)}
