"""A logged turn as staff see it: the whole reply, its result in a word, and the retrieval inspector.

Rendered from typed values: the reply's `ReplyKind` (`logged_reply_kind`) and the question kind's
staff label (`query.kinds.describe`). Visitor and corpus text is shown as text.
"""
from __future__ import annotations

import time
from typing import Any

import pandas as pd

from assistant.query.kinds import describe
from assistant.settings import TIE_MARGIN
from assistant.text import escape_markdown, plain_text
from assistant.types import ReplyKind, Trace, logged_reply_kind
from assistant.web.rendering import shorten

LoggedTurn = dict[str, Any]  # a turn as the chat log gives it back (sources, history and trace decoded)
RETRIEVERS = (("bm25", "BM25"), ("minilm", "MiniLM"), ("e5", "E5 (multilingual)"))


def when(timestamp: float) -> str:
    """A log timestamp as "2025-11-26 14:05" (UTC)."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


def _kind(turn: LoggedTurn) -> tuple[ReplyKind, Trace]:
    """The reply's kind and its trace (an empty one for turns logged without)."""
    trace: Trace = turn["trace"] or Trace()
    return logged_reply_kind(turn["answered"], turn["query"], trace), trace


def result_label(turn: LoggedTurn) -> str:
    """The reply's kind in a word or two, for the review table."""
    kind, trace = _kind(turn)
    labels = {ReplyKind.CURATED: f"curated #{trace.get('curated')}", ReplyKind.ANSWER: "answered",
              ReplyKind.UNSURE: "not sure",  # answered with the closest passage
              ReplyKind.CONTINUED: "answered", ReplyKind.NEEDS_A_NAME: "asked to name what 'it' means",
              ReplyKind.SMALL_TALK: f"small talk ({trace.get('small_talk')})", ReplyKind.INPUT_HELP: "input help"}
    return labels.get(kind, "declined")


def _unsearched(kind: ReplyKind, trace: Trace) -> str | None:
    """What the inspector says of a reply given without a search (None: there was one)."""
    summaries = {
        ReplyKind.CURATED: f"Answered from curated answer **#{trace.get('curated')}** (matched before the corpus "
                           "was searched for a sentence).",
        ReplyKind.SMALL_TALK: f"Small talk ({trace.get('small_talk')}): a fixed reply, nothing searched.",
        ReplyKind.NEEDS_A_NAME: "A first question whose pronoun names nothing: the visitor was asked to name what "
                                "they mean, nothing searched.",
        ReplyKind.TO_THE_ASSISTANT: "An instruction to the assistant itself (\"ignore previous instructions...\"): "
                                    "declined, nothing searched.",
        ReplyKind.CONTINUED: f"\"Tell me more\": the sentences after the previous reply's quote in "
                             f"**{trace.get('continued')}**, nothing searched.",
    }
    if kind in summaries:
        return summaries[kind]
    if "query" not in trace:
        return ("No retrieval for this turn (empty, too long, no word of any dictionary, or logged before "
                "traces were kept).")
    return None


def _searched(trace: Trace, query: str, kind: ReplyKind, language: str) -> str:
    """What the inspector says of a search: the question as searched, its kind, the models, the evidence."""
    evidence = ", ".join(f"{name} {value:.3f}" for name, value in (trace.get("evidence") or {}).items())
    models = ", ".join(trace.get("models") or []) or "not recorded"
    if trace.get("centered"):
        models += (f" (language-centered for the passage ranking: {', '.join(trace['centered'])}; "
                   "sentence scores and the decision use the raw vectors)")
    return (f"**Question as searched** (after follow-up rewriting, spelling correction and glossary words): "
            f"`{(trace.get('query') or query).replace('`', '')}`\n\n"
            f"**Read as asking for:** {describe(trace.get('kind'))}\n\n"
            f"**Dense models consulted** (English questions add E5 only when MiniLM and BM25 "
            f"leave the best sentence in doubt): {models}\n\n"
            f"**Best evidence per signal:** {evidence or 'none'}{_how_the_quote_was_chosen(trace, kind, language)}")


def _how_the_quote_was_chosen(trace: Trace, kind: ReplyKind, language: str) -> str:
    """The notes on the quote: a translation quoted, the reader's choice (its pick is listed first in
    the sentences' table, whatever its score; the multilingual reader's for a question not in English),
    its decision, or what it read under MiniLM's bar."""
    notes = []
    if trace.get("translated"):
        notes.append(f"**Quoted in the visitor's language** from the translation "
                     f"`{trace['translated'].replace('`', '')}`: the sentences below are the original's, which "
                     "the ranking chose")
    if trace.get("reader_chose_among"):
        reader = "reader" if language == "en" else "multilingual reader"
        notes.append(f"**The {reader} chose the quote** among the first {trace['reader_chose_among']} "
                     f"sentences: the ranking scored them within {TIE_MARGIN} of its best")
    if trace.get("reader_overruled"):
        notes.append("**The reader overruled the ranking:** its first sentence's evidence was under the "
                     "decline threshold, so the quote is the sentence read with the best evidence")
    evidence = trace.get("evidence") or {}
    if "reader_quote" in evidence:
        notes.append(_reader_decision(evidence, kind) if "reader_threshold" in evidence else _multilingual_sureness(
            evidence, kind))
    if "reader_first" in evidence:
        notes.append(_under_minilms_bar(evidence))
    return "".join(f"\n\n{note}" for note in notes)


def _under_minilms_bar(evidence: dict[str, float]) -> str:
    """MiniLM found no sentence close enough: the reader read the ranking's first sentence alone, and
    only its being sure of it answers the question."""
    figures = f"{evidence['reader_first']:.3f} (\"sure\" from {evidence['reader_unsure_threshold']:.3f})"
    if "reader" in evidence:
        return ("**MiniLM's bar lifted:** MiniLM found no sentence close enough; the reader, reading the "
                f"first alone, is sure of it: {figures}")
    return ("**Under MiniLM's bar:** MiniLM found no sentence close enough; the reader, reading the first "
            f"alone, is not sure of it: {figures}: the question is declined")


def _reader_decision(evidence: dict[str, float], kind: ReplyKind) -> str:
    """The reader's two figures beside the reply they led to: the best candidate's evidence decides
    the decline, the quoted sentence's whether the quote is given as the answer or as "not sure"."""
    outcome = {ReplyKind.ANSWER: "the quote is given as the answer",
               ReplyKind.UNSURE: "the quote is given as not sure"}.get(kind, "the question is declined")
    return (f"**The reader's evidence:** best among the sentences read {evidence['reader']:.3f} "
            f"(declined below {evidence['reader_threshold']:.3f}); for the quoted sentence "
            f"{evidence['reader_quote']:.3f} (\"not sure\" below {evidence['reader_unsure_threshold']:.3f}): "
            f"{outcome}")


def _multilingual_sureness(evidence: dict[str, float], kind: ReplyKind) -> str:
    """Another language's quote: the multilingual reader decides only whether it is sure of it."""
    outcome = "the quote is given as the answer" if kind == ReplyKind.ANSWER else "the quote is given as not sure"
    return (f"**The multilingual reader's logit** for the quoted sentence {evidence['reader_quote']:.3f} "
            f"(\"not sure\" below {evidence['reader_unsure_threshold']:.3f}, placed on visitor questions in that "
            f"language): {outcome}")


def _passage_table(trace: Trace) -> pd.DataFrame:
    """Each passage in fused order, with each retriever's rank and raw score ("–" when it missed it)."""
    rows = []
    for rank, hit in enumerate(trace.get("passages") or [], start=1):
        row: dict[str, Any] = {"fused rank": rank, "chunk": hit.get("chunk_id"), "section": hit.get("section", ""),
                               "fused score": hit.get("fused")}
        for key, name in RETRIEVERS:
            row[f"{name} rank"] = (hit.get("ranks") or {}).get(key, "–")
            score = (hit.get("scores") or {}).get(key)
            row[f"{name} score"] = round(score, 4) if score is not None else "–"
        rows.append(row)
    columns = ["fused rank", "chunk", "section", "fused score"] + [
        f"{name} {part}" for _, name in RETRIEVERS for part in ("rank", "score")]
    return pd.DataFrame(rows, columns=columns)


def _sentence_table(trace: Trace) -> pd.DataFrame:
    """The candidate sentences, best first, with each signal's value; the sentence comes last, so
    that the scores (the reader's among them) are in view, not past a wide column of text."""
    items = trace.get("sentences") or []
    if not items:
        return pd.DataFrame(columns=["#", "chunk", "score", "sentence"])
    rows = []
    for rank, item in enumerate(items, start=1):
        row: dict[str, Any] = {"#": rank, "chunk": item.get("chunk_id"), "score": round(item.get("score") or 0.0, 4)}
        row.update({name: round(value, 4) for name, value in (item.get("signals") or {}).items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    table["sentence"] = [item.get("sentence", "") for item in items]  # a new column goes last
    return table


def feedback_text(turn: LoggedTurn) -> str:
    """The visitor's thumbs and comments in a few characters."""
    rating = {"up": "liked", "down": "disliked"}.get(turn.get("rating") or "", "")  # words: no emoji font needed
    comments = turn.get("comments") or ""
    return " ".join(x for x in (rating, shorten(comments, 80)) if x)


def reply_markdown(turn: LoggedTurn) -> str:
    """The whole reply as staff see it; visitor and corpus text shown as text."""
    lines = [f"### Question\n> {escape_markdown(turn['question']) or '(empty)'}"]
    facts = [f"{when(turn['created_at'])} UTC", f"language **{turn['language'] or '?'}**",
             f"via {turn['channel']}", f"{turn.get('latency_ms') or 0:.0f} ms", f"**{result_label(turn)}**"]
    lines.append(" · ".join(facts))
    if turn["history"]:
        before = "\n".join(f"- _{m.get('role', '?')}_: {_said(m)}" for m in turn["history"][-6:])
        lines.append(f"**Conversation before this question**\n{before}")
    lines.append(f"### Answer\n{_quote_block(turn['answer'])}")
    if turn["sources"]:
        entries = []
        for number, source in enumerate(turn["sources"], start=1):
            label = escape_markdown(" > ".join(x for x in (source.get("path"), source.get("section")) if x))
            text = f"\n\n    {escape_markdown(shorten(source['text'], 500))}" if source.get("text") else ""
            entries.append(f"{number}. **{label}** · chunk {source.get('chunk_id')} · "
                           f"relevance {float(source.get('score') or 0):.2f}{text}")
        lines.append("### Sources\n" + "\n".join(entries))
    feedback = feedback_text(turn)
    if feedback or turn.get("verdict"):
        verdict = f" · staff verdict: **{turn['verdict']}**" if turn.get("verdict") else ""
        note = f" ({escape_markdown(turn.get('verdict_note') or '')})" if turn.get("verdict_note") else ""
        lines.append(f"**Visitor feedback:** {escape_markdown(feedback) or 'none'}{verdict}{note}")
    return "\n\n".join(lines)


def inspector(turn: LoggedTurn) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The retrieval inspector: the query searched, each retriever's rank and score, the fused order."""
    kind, trace = _kind(turn)
    summary = _unsearched(kind, trace) or _searched(trace, turn["query"], kind, turn.get("language") or "en")
    return summary, _passage_table(trace), _sentence_table(trace)


def _said(message: dict[str, Any]) -> str:
    """A message of the conversation as text, shortened: a reply without its Markdown marks and
    escapes, a visitor's message as typed ("my_code" keeps its underscore)."""
    content = str(message.get("content", ""))
    return escape_markdown(shorten(plain_text(content) if message.get("role") == "assistant" else content, 160))


def _quote_block(text: str) -> str:
    """The stored answer (Markdown the core produced, corpus text already escaped) as a quote block."""
    return "\n".join(f"> {line}" for line in (text or "").split("\n"))
