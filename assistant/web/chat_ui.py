"""The visitor chat page: the chat, the input row, thumbs with an optional comment, and clear.

Only layout and wiring: replies come from `ChatService`, their Markdown from `rendering`, the page's
texts and its language from `page_language`, its CSS and scripts from `chat_assets`.
"""
from __future__ import annotations

from typing import Any, Literal

import gradio as gr
from gradio.blocks import Block
from gradio.components.chatbot import MessageDict, MetadataDict, NormalizedMessageDict, OptionDict
from gradio.events import Dependency

from assistant.answer.messages import SOURCES_TITLE, in_language, with_examples
from assistant.ops.log_writer import anonymous_session
from assistant.settings import MAX_QUESTION_CHARS
from assistant.text import escape_markdown
from assistant.types import Reply
from assistant.web.chat_assets import SET_LANGUAGE_JS
from assistant.web.chat_service import ChatService, History, rating_of, remember
from assistant.web.page_language import I18N, language_after, opening_language, page_language, page_text
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
        # texts as I18N keys: Gradio shows them in the browser's language until the server sends the page's
        self.title = gr.Markdown("## " + I18N("title"), elem_id="chat-title")
        self.chatbot = gr.Chatbot(
            value=list(self.welcome("en")), elem_id="chatbot", label="Chat", show_label=False,
            height="68vh", min_height=320, layout="bubble", feedback_options=FEEDBACK_OPTIONS, sanitize_html=True,
            allow_tags=False, render_markdown=True, buttons=["copy"], group_consecutive_messages=True,
            latex_delimiters=[],
        )
        # right under the messages the thumbs were given to, not below the input
        with gr.Group(visible=False, elem_id="comment-box") as self.comment_box:
            self.comment = gr.Textbox(label=I18N("comment_label"), max_lines=3,
                                      placeholder=I18N("comment_placeholder"), elem_id="comment")
            self.comment_button = gr.Button(I18N("comment_button"), size="sm", elem_id="comment-button")
        self.comment_thanks = gr.Markdown(I18N("comment_thanks"), visible=False, elem_id="comment-thanks")
        with gr.Row(elem_id="ask-row"):
            self.question = gr.Textbox(label=I18N("question_label"), show_label=False,
                                       placeholder=I18N("question_placeholder"), scale=5, max_lines=4,
                                       autofocus=True, elem_id="question", container=False)
            self.ask_button = gr.Button(I18N("ask_button"), variant="primary", scale=0, min_width=80,
                                        elem_id="ask-button")
        self.clear_button = gr.Button(I18N("clear_button"), size="sm", variant="secondary", elem_id="clear-button")
        # the page's language: a hidden textbox rather than a State, so that the browser can read it for `lang`
        self.language = gr.Textbox("", visible=False)
        self.texts = [self.title, self.question, self.ask_button, self.clear_button, self.comment,
                      self.comment_button, self.comment_thanks]  # what `show_language` sets
        # the conversation kept in the visitor's browser (encrypted), so that a reload does not lose it
        self.saved = gr.BrowserState({}, storage_key="cashmere-chat")
        self.turns = gr.State({})  # chatbot message index -> logged turn id
        self.pending = gr.State("")  # the question being answered
        self.rated = gr.State("")  # turn id of the last thumbs, for the comment

    def wire(self, concurrency: int) -> None:
        """Every event private (only /chat is an API); answers share the "ask" pool with the API."""
        feedback = [self.comment_box, self.comment_thanks]
        for trigger in (self.question.submit, self.ask_button.click):
            taken = trigger(self.take_question, [self.question, self.chatbot, self.comment],
                            [self.question, self.chatbot, self.pending, *feedback], queue=False,
                            api_visibility="private")
            self._then_show_language(taken.then(**self._answering(concurrency)))
        taken = self.chatbot.option_select(self.take_option, [self.chatbot, self.comment],
                                           [self.chatbot, self.pending, *feedback], queue=False,
                                           api_visibility="private")
        self._then_show_language(taken.then(**self._answering(concurrency)))
        self.chatbot.like(self.on_like, [self.turns, self.language], [self.rated, *feedback], queue=False,
                          api_visibility="private")
        for trigger in (self.comment_button.click, self.comment.submit):
            trigger(self.on_comment, [self.comment, self.rated, self.language], [self.comment, *feedback],
                    queue=False, api_visibility="private")
        self.clear_button.click(self.clear, [self.language], [self.chatbot, self.history, self.turns, self.saved,
                                                              self.rated, self.comment, *feedback],
                                queue=False, api_visibility="private")

    def restore_on(self, demo: gr.Blocks) -> None:
        """When the page (re)loads, bring back the conversation the browser kept, in its language."""
        self._then_show_language(demo.load(self.restore, [self.saved], [self.chatbot, self.history, self.turns,
                                                                        self.language],
                                           queue=False, api_visibility="private"))

    def _then_show_language(self, event: Dependency) -> None:
        """After an event that set the page's language: its texts, then the document's `lang` and title."""
        event.then(self.show_language, [self.language], self.texts, queue=False, show_progress="hidden",
                   api_visibility="private").then(None, [self.language, self.title], None, js=SET_LANGUAGE_JS,
                                                  queue=False, api_visibility="private")

    def _answering(self, concurrency: int) -> dict[str, Any]:
        return {"fn": self.answer, "inputs": [self.pending, self.chatbot, self.history, self.turns, self.language],
                "outputs": [self.chatbot, self.history, self.turns, self.saved, self.language],
                "show_progress": "minimal", "concurrency_limit": concurrency, "concurrency_id": "ask",
                "api_visibility": "private"}

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

    def answer(self, text: str, messages: Messages, past: History, known: dict[int, str], language: str,
               request: gr.Request) -> tuple[Messages, History, dict[int, str], dict[str, Any], str]:
        """The reply after the conversation; the page's language becomes the question's (`page_language`)."""
        reply, turn_id = self.chat.ask(text, past, session_of(request), channel=channel_of(request))
        new = reply_messages(reply)
        known = dict(known or {})
        for offset in range(len(new)):
            known[len(messages) + offset] = turn_id
        messages, past = [*messages, *new], remember(past, text, reply)
        language = language_after(reply, language)
        saved = {"messages": messages, "history": past, "turns": {str(i): turn for i, turn in known.items()},
                 "language": language}
        return messages, past, known, saved, language

    def restore(self, saved: Any, request: gr.Request) -> tuple[Messages, History, dict[int, str], str]:
        """The kept conversation in its language, or the welcome in a new visit's (`page_language`)."""
        params = getattr(request, "query_params", None) or {}
        language = opening_language(params.get("lang"), request.headers.get("accept-language"))
        try:
            messages, past = list(saved["messages"]), list(saved["history"])
            known = {int(index): str(turn) for index, turn in dict(saved["turns"]).items()}
        except (TypeError, KeyError, ValueError):
            messages = []
        if not messages:
            return list(self.welcome(language)), [], {}, language
        return messages, past, known, page_language(saved.get("language") or language)

    def welcome(self, language: str) -> list[MessageDict]:
        return [message(page_text("welcome", language), examples=self.chat.examples_in(language))]

    def show_language(self, language: str) -> Updates:
        """The page's texts in its language, from the table `I18N` is built from."""
        def text(key: str) -> str:
            return page_text(key, language)
        return {self.title: gr.Markdown(f"## {text('title')}"),
                self.question: gr.Textbox(label=text("question_label"), placeholder=text("question_placeholder")),
                self.ask_button: gr.Button(text("ask_button")), self.clear_button: gr.Button(text("clear_button")),
                self.comment: gr.Textbox(label=text("comment_label"), placeholder=text("comment_placeholder")),
                self.comment_button: gr.Button(text("comment_button")),
                self.comment_thanks: gr.Markdown(text("comment_thanks"))}

    def on_like(self, known: dict[int, str], language: str, data: gr.LikeData, request: gr.Request) -> Updates:
        turn_id = (known or {}).get(message_index(data.index), "")
        rating = rating_of(data.liked)
        closed = {self.comment_box: gr.Group(visible=False), self.comment_thanks: gr.Markdown(visible=False)}
        if not turn_id or rating is None:
            return {self.rated: "", **closed}
        if not self.chat.rate(turn_id, session_of(request), rating=rating):
            gr.Warning(page_text("feedback_not_saved", language))
            return {self.rated: "", **closed}
        return {**closed, self.rated: turn_id, self.comment_box: gr.Group(visible=rating != "cleared")}

    def on_comment(self, text: str, turn_id: str, language: str, request: gr.Request) -> Updates:
        text = (text or "").strip()[:COMMENT_CHARS]
        if text and not self.chat.rate(turn_id, session_of(request), comment=text):
            gr.Warning(page_text("feedback_not_saved", language))
            return {self.comment: text, self.comment_box: gr.Group(visible=True),  # kept, to send again
                    self.comment_thanks: gr.Markdown(visible=False)}
        return {self.comment: "", self.comment_box: gr.Group(visible=False),
                self.comment_thanks: gr.Markdown(visible=bool(text))}  # said only once it is saved

    def clear(self, language: str) -> Updates:
        return {self.chatbot: self.welcome(language), self.history: [], self.turns: {}, self.saved: {}, self.rated: "",
                self.comment: "", self.comment_box: gr.Group(visible=False),
                self.comment_thanks: gr.Markdown(visible=False)}
