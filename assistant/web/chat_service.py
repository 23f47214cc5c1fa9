"""The visitor chat without its layout: ask (rate-limited), log each turn, save feedback.

Shared by the chat page and the /chat API. Each turn is logged (anonymously) to
the `ChatLog`; thumbs and comments are attached to that turn and acknowledged
only once committed. Each visitor session may ask `RATE_LIMIT` questions per
`RATE_WINDOW` seconds; beyond that it gets a friendly "slow down" reply in the question's language.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

from assistant.ops.chatlog import ChatLog
from assistant.pipeline import Assistant
from assistant.query.language import detect_language
from assistant.settings import HISTORY_MESSAGES, MAX_QUESTION_CHARS
from assistant.text import clean_question
from assistant.types import Reply, ReplyKind
from assistant.web.page_language import page_language, page_text

log = logging.getLogger(__name__)

History = list[dict[str, str]]  # the plain-text conversation: {"role": ..., "content": ...} per message
RATE_LIMIT = 30  # questions per session ...
RATE_WINDOW = 60.0  # ... per this many seconds
IDLE_SWEEP = 10_000  # sessions remembered before idle ones are forgotten
LOGGED_QUESTION_CHARS = 2 * MAX_QUESTION_CHARS  # a 50 kB paste is logged cut, with its full length
RATINGS: dict[bool | str | None, str] = {True: "up", False: "down", None: "cleared", "like": "up", "dislike": "down"}
WELCOME_EXAMPLES = 6


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
            if len(self._recent) > IDLE_SWEEP:
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


class ChatService:
    """Turns a question into a logged reply, and saves feedback on it."""

    def __init__(self, bot: Assistant, chatlog: ChatLog) -> None:
        self.bot = bot
        self.chatlog = chatlog
        self.rate_limit = RateLimit()

    def examples_in(self, language: str) -> list[str]:
        """The core's welcome examples for a page in `language` (the English ones include a French and a
        Mongolian question)."""
        return self.bot.example_questions(language=language)[:WELCOME_EXAMPLES]

    def ask(self, question: str, history: History, session: str, channel: str) -> tuple[Reply, str]:
        """Ask the core, then log the turn; returns the reply and the saved turn id for feedback
        ("" when the turn was not logged: too fast, or the log failed)."""
        wait = self.rate_limit.wait_needed(session)
        if wait:
            log.warning("session %s is over the rate limit", session)
            return self._slow_down(question, wait), ""
        started = time.perf_counter()
        reply = self.bot.ask(question or "", history=list(history or []))
        latency_ms = (time.perf_counter() - started) * 1000
        return reply, self._log(question, reply, session, channel, latency_ms, history)

    def _slow_down(self, question: str, wait: float) -> Reply:
        """"Too fast" in the question's language (English for one the page lacks), read from its first
        characters only: this reply must stay cheap for a visitor who floods the chat."""
        text = question[:MAX_QUESTION_CHARS] if isinstance(question, str) else ""
        language = page_language(detect_language(text))
        lead = page_text("rate_limited", language).format(seconds=max(1, round(wait)), limit=self.rate_limit.limit)
        return Reply(False, lead, language=language, kind=ReplyKind.RATE_LIMITED)

    def _log(self, question: str, reply: Reply, session: str, channel: str, latency_ms: float,
             history: History) -> str:
        """The turn with what staff need to re-open it: sources with their text, the rewritten
        query, the conversation it leaned on, and the retrieval trace."""
        try:
            return self.chatlog.log_turn(
                session=session, channel=channel, question=logged_question(question), answer=reply.text,
                answered=reply.answered, language=reply.language, latency_ms=latency_ms,
                sources=[{"chunk_id": s.chunk_id, "path": s.path, "section": s.section,
                          "score": round(float(s.score), 4), "title": s.title, "text": s.text, "url": s.url}
                         for s in reply.sources],
                query=reply.query, history=list(history or []), trace=dict(reply.trace),
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
        except Exception:  # a failed save is reported to the visitor, never raised
            log.exception("could not save the feedback row")
            return False


def logged_question(question: object) -> str:
    """The question as typed, cut for the log when huge (the log keeps its full length)."""
    text = question if isinstance(question, str) else ""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate would fail the SQLite write
    if len(text) <= LOGGED_QUESTION_CHARS:
        return text
    return f"{text[:LOGGED_QUESTION_CHARS]} … [{len(text):,} characters in all]"


def remember(history: History, question: str, reply: Reply) -> History:
    """The plain-text conversation the core reads for follow-ups, capped in length. Input help
    (empty, too long, too fast) is left out: a follow-up must never drag a 50 kB paste into a search."""
    if not reply.answered and not reply.query:
        return list(history or [])
    turn = [{"role": "user", "content": clean_question(question)[:MAX_QUESTION_CHARS]},
            {"role": "assistant", "content": reply.text}]
    return (list(history or []) + turn)[-HISTORY_MESSAGES:]


def rating_of(liked: object) -> str | None:
    """Gradio sends True/False for the thumbs (or the option's text, or None when undone);
    anything else (a forged request) is no rating."""
    key = liked.lower() if isinstance(liked, str) else liked
    return RATINGS.get(key) if isinstance(key, (bool, str, type(None))) else None
