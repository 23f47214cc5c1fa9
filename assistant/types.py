"""The values that flow through the pipeline and out of it: Reply, its ReplyKind, Source, Candidate, Trace.

`Reply`, `Source` and their fields are the public interface (`from assistant import Reply`);
the UIs render them and never look inside the pipeline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict

from assistant.ingest.chunking import Chunk

Message = dict[str, Any]  # one turn of a conversation: {"role": "user" | "assistant", "content": text}
Evidence = dict[str, Any]  # the numbers an answer-or-decline rests on, shown to staff


class ReplyKind(StrEnum):
    """What sort of reply this is, so that the chat, the log and staff need not guess."""

    ANSWER = "answer"  # a quote from the corpus
    UNSURE = "unsure"  # a quote shown as the texts' closest passage: the reader is not sure it answers
    CURATED = "curated"  # a staff answer, matched before the corpus
    CONTINUED = "continued"  # "tell me more": the next sentences of the previous quote's section
    DECLINED = "declined"  # searched, and the texts do not hold the answer
    TO_THE_ASSISTANT = "to_the_assistant"  # instructions to the assistant itself, declined unsearched
    NEEDS_A_NAME = "needs_a_name"  # "when was it founded?" with nothing for "it" to name
    SMALL_TALK = "small_talk"  # hello, thanks, who are you
    INPUT_HELP = "input_help"  # empty or too long: how to ask
    RATE_LIMITED = "rate_limited"  # the chat's per-visitor limit, before the pipeline


class PassageTrace(TypedDict):
    chunk_id: int
    section: str
    fused: float
    ranks: dict[str, int]
    scores: dict[str, float]


class SentenceTrace(TypedDict):
    chunk_id: int
    sentence: str
    score: float
    signals: dict[str, float]


class Trace(TypedDict, total=False):
    """Why this reply, for staff: stored with the turn in the log (JSON), so every key is optional."""

    reply_kind: str  # a ReplyKind value
    query: str
    models: list[str]
    centered: list[str]
    kind: str | None  # the question kind the answer fit looked for (a year, a count, an aim, ...)
    evidence: Evidence
    passages: list[PassageTrace]
    sentences: list[SentenceTrace]
    curated: int  # the curated answer's id
    small_talk: str  # which small talk
    continued: str  # the section continued
    translated: str  # the translated document quoted in the visitor's language
    reader_chose_among: int  # the ranking's ties the reader chose the quote among (0: no tie)
    reader_overruled: bool  # the reader refuted the ranking's first sentence and quoted a sure one


@dataclass
class Source:
    title: str
    section: str
    text: str
    path: str
    score: float
    url: str | None = None
    chunk_id: int = -1


@dataclass
class Reply:
    answered: bool
    text: str
    sources: list[Source] = field(default_factory=list)
    language: str = "en"
    examples: list[str] = field(default_factory=list)
    query: str = ""  # the question after follow-up rewriting and spelling correction
    trace: Trace = field(default_factory=lambda: Trace())  # ranks and scores behind the reply, for staff
    kind: ReplyKind | None = None  # by default an answer when answered, else a decline
    lead: str = ""  # the text before its example list, for UIs that show the examples as buttons

    def __post_init__(self) -> None:
        if self.kind is None:
            self.kind = ReplyKind.ANSWER if self.answered else ReplyKind.DECLINED
        self.trace["reply_kind"] = str(self.kind)
        self.lead = self.lead or self.text


@dataclass
class Candidate:
    chunk: Chunk
    sentence: int  # index within the chunk
    row: int  # sentence row in the index
    score: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)
    answer_span: tuple[int, int] | None = None  # where the reader, when sure, sees the answer in the sentence


def logged_reply_kind(answered: bool, query: str, trace: Trace) -> ReplyKind:
    """The kind of a reply read back from the log; turns logged before kinds were kept are told
    apart by their trace."""
    if trace.get("reply_kind"):
        return ReplyKind(trace["reply_kind"])
    old_flags = {"curated": ReplyKind.CURATED, "continued": ReplyKind.CONTINUED, "small_talk": ReplyKind.SMALL_TALK,
                 "needs_a_name": ReplyKind.NEEDS_A_NAME, "to_the_assistant": ReplyKind.TO_THE_ASSISTANT}
    for flag, kind in old_flags.items():
        if trace.get(flag):
            return kind
    if answered:
        return ReplyKind.ANSWER
    return ReplyKind.DECLINED if query or trace else ReplyKind.INPUT_HELP
