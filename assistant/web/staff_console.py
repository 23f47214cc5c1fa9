"""The staff console's logic, without UI: review every answer and why, fix wrong ones, change the corpus, see the gaps.

`staff_ui.py` renders it at /staff, behind `staff_auth.py`. Tabs: Review (filters, the full
reply, the retrieval inspector, right/wrong, pin or write the answer, CSV export), Curated
answers (list, edit, remove), Corpus (upload, remove, background rebuild with progress and
result), Insight.
"""
from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from assistant.curation.store import CuratedAnswers
from assistant.ops.chatlog import ChatLog
from assistant.ops.corpus_admin import MAX_UPLOAD_BYTES, CorpusAdmin
from assistant.query.kinds import describe
from assistant.text import escape_markdown, plain_text
from assistant.types import ReplyKind, logged_reply_kind
from assistant.web.rendering import logged_source_label, shorten
from assistant.web.staff_auth import StaffAuth, staff_password

RETRIEVERS = (("bm25", "BM25"), ("minilm", "MiniLM"), ("e5", "E5 (multilingual)"))
# `answer.question_kind` -> what the answer fit looked for, in staff's words ("fit" in the sentence table)
REVIEW_COLUMNS = ["time (UTC)", "lang", "channel", "question", "answer", "result", "feedback", "verdict", "id"]


def _day_start(value: Any) -> float | None:
    """'2025-11-26' (or a datetime string from gr.DateTime) -> that UTC midnight as a timestamp."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()[:10]
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"“{value}” is not a date (YYYY-MM-DD).") from error
    return day.timestamp()


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


def _result(turn: dict) -> str:
    kind = logged_reply_kind(turn["answered"], turn["query"], turn["trace"] or {})
    labels = {ReplyKind.CURATED: f"curated #{turn['trace'].get('curated')}", ReplyKind.ANSWER: "answered",
              ReplyKind.CONTINUED: "answered", ReplyKind.NEEDS_A_NAME: "asked to name what 'it' means",
              ReplyKind.SMALL_TALK: f"small talk ({turn['trace'].get('small_talk')})",
              ReplyKind.INPUT_HELP: "input help"}
    return labels.get(kind, "declined")


def _feedback(turn: dict) -> str:
    rating = {"up": "👍", "down": "👎"}.get(turn.get("rating") or "", "")
    comments = turn.get("comments") or ""
    return " ".join(x for x in (rating, shorten(comments, 80)) if x)


class StaffConsole:
    """Everything staff can do, as plain methods (the Gradio app below only lays them out)."""

    def __init__(self, bot: Any, chatlog: ChatLog, data_dir: str | os.PathLike,
                 password: str | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self.bot = bot
        self.chatlog = chatlog
        self.data_dir = Path(data_dir)
        if password is None:
            password, self.password_source = staff_password(self.data_dir)
        else:
            self.password_source = "given"
        self.auth = StaffAuth(password)
        if not isinstance(bot.curated, CuratedAnswers):
            raise ValueError("the staff console edits the assistant's curated answers: open it with a data_dir")
        self.curated: CuratedAnswers = bot.curated
        self.corpus = CorpusAdmin(bot, max_upload_bytes)
        self.max_upload_bytes = max_upload_bytes
        self.exports = Path(tempfile.mkdtemp(prefix="staff-exports-"))

    # ------------------------------------------------------------ review

    def review_rows(self, declined: bool = False, thumbs_down: bool = False, since: Any = None,
                    until: Any = None, search: str = "") -> list[dict]:
        end = _day_start(until)
        return self.chatlog.review(declined=bool(declined), thumbs_down=bool(thumbs_down), since=_day_start(since),
                                   until=end + 86400 if end is not None else None, search=search or "")

    def review_table(self, *filters: Any) -> pd.DataFrame:
        rows = [[_when(t["created_at"]), t["language"] or "", t["channel"], shorten(t["question"], 140),
                 shorten(plain_text(t["answer"]), 160), _result(t), _feedback(t), t.get("verdict") or "", t["id"]]
                for t in self.review_rows(*filters)]
        return pd.DataFrame(rows, columns=REVIEW_COLUMNS)

    def export(self, *filters: Any) -> Path:
        end = _day_start(filters[3]) if len(filters) > 3 else None
        target = self.exports / f"chat-review-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        return self.chatlog.export_csv(
            target, declined=bool(filters[0]) if filters else False,
            thumbs_down=bool(filters[1]) if len(filters) > 1 else False,
            since=_day_start(filters[2]) if len(filters) > 2 else None,
            until=end + 86400 if end is not None else None, search=(filters[4] if len(filters) > 4 else "") or "")

    def turn(self, turn_id: str) -> dict | None:
        return self.chatlog.turn(turn_id) if turn_id else None

    def reply_markdown(self, turn: dict) -> str:
        """The whole reply as staff see it; visitor and corpus text shown as text."""
        lines = [f"### Question\n> {escape_markdown(turn['question']) or '(empty)'}"]
        facts = [f"{_when(turn['created_at'])} UTC", f"language **{turn['language'] or '?'}**",
                 f"via {turn['channel']}", f"{turn.get('latency_ms') or 0:.0f} ms", f"**{_result(turn)}**"]
        lines.append(" · ".join(facts))
        if turn["history"]:
            before = "\n".join(f"- _{m.get('role', '?')}_: {escape_markdown(shorten(str(m.get('content', '')), 160))}"
                               for m in turn["history"][-6:])
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
        feedback = _feedback(turn)
        if feedback or turn.get("verdict"):
            verdict = f" · staff verdict: **{turn['verdict']}**" if turn.get("verdict") else ""
            note = f" ({escape_markdown(turn.get('verdict_note') or '')})" if turn.get("verdict_note") else ""
            lines.append(f"**Visitor feedback:** {escape_markdown(feedback) or 'none'}{verdict}{note}")
        return "\n\n".join(lines)

    def inspector(self, turn: dict) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """The retrieval inspector: the query searched, each retriever's rank and score, the fused order."""
        trace = turn["trace"] or {}
        kind = logged_reply_kind(turn["answered"], turn["query"], trace)
        if kind == ReplyKind.CURATED:
            summary = (f"Answered from curated answer **#{trace.get('curated')}** (matched before the corpus was "
                       "searched for a sentence).")
        elif kind == ReplyKind.SMALL_TALK:
            summary = f"Small talk ({trace.get('small_talk')}): a fixed reply, nothing searched."
        elif kind == ReplyKind.NEEDS_A_NAME:
            summary = ("A first question whose pronoun names nothing: the visitor was asked to name what "
                       "they mean, nothing searched.")
        elif kind == ReplyKind.TO_THE_ASSISTANT:
            summary = ("An instruction to the assistant itself (\"ignore previous instructions...\"): declined, "
                       "nothing searched.")
        elif kind == ReplyKind.CONTINUED:
            summary = (f"\"Tell me more\": the sentences after the previous reply's quote in "
                       f"**{trace.get('continued')}**, nothing searched.")
        elif "query" not in trace:
            summary = "No retrieval for this turn (empty, too long, or logged before traces were kept)."
        else:
            evidence = ", ".join(f"{name} {value:.3f}" for name, value in (trace.get("evidence") or {}).items())
            models = ", ".join(trace.get("models") or []) or "not recorded"
            if trace.get("centered"):
                models += (f" (language-centered for the passage ranking: {', '.join(trace['centered'])}; "
                           "sentence scores and the decision use the raw vectors)")
            summary = (f"**Question as searched** (after follow-up rewriting, spelling correction and glossary words): "
                       f"`{(trace.get('query') or turn['query']).replace('`', '')}`\n\n"
                       f"**Read as asking for:** {describe(trace.get('kind'))}\n\n"
                       f"**Dense models consulted** (English questions add E5 only when MiniLM and BM25 "
                       f"leave the best sentence in doubt): {models}\n\n"
                       f"**Best evidence per signal:** {evidence or 'none'}")
        passages = []
        for rank, hit in enumerate(trace.get("passages") or [], start=1):
            row = {"fused rank": rank, "chunk": hit.get("chunk_id"), "section": hit.get("section", ""),
                   "fused score": hit.get("fused")}
            for key, name in RETRIEVERS:
                row[f"{name} rank"] = (hit.get("ranks") or {}).get(key, "–")
                score = (hit.get("scores") or {}).get(key)
                row[f"{name} score"] = round(score, 4) if score is not None else "–"
            passages.append(row)
        sentences = []
        for rank, item in enumerate(trace.get("sentences") or [], start=1):
            row = {"#": rank, "chunk": item.get("chunk_id"), "sentence": item.get("sentence", ""),
                   "score": item.get("score")}
            row.update({name: round(value, 4) for name, value in (item.get("signals") or {}).items()})
            sentences.append(row)
        passage_columns = ["fused rank", "chunk", "section", "fused score"] + [
            f"{name} {part}" for _, name in RETRIEVERS for part in ("rank", "score")]
        return (summary, pd.DataFrame(passages, columns=passage_columns),
                pd.DataFrame(sentences) if sentences else pd.DataFrame(columns=["#", "chunk", "sentence", "score"]))

    def mark(self, turn_id: str, verdict: str, note: str = "") -> str:
        if not self.turn(turn_id):
            raise ValueError("Open a question first.")
        if not self.chatlog.mark(turn_id, verdict, note):
            raise ValueError("The verdict could not be saved just now (see the server log); please try again.")
        return f"Marked **{verdict}**."

    # ------------------------------------------------------------ fixing

    def pin_choices(self, turn: dict) -> list[tuple[str, int]]:
        return [(f"{n + 1}. {logged_source_label(s)} — {shorten(s.get('text', ''), 90)}", n)
                for n, s in enumerate(turn["sources"]) if s.get("text")]

    def default_questions(self, turn: dict) -> str:
        """The question as searched (a follow-up made whole), then the visitor's words if different."""
        questions = [q for q in (turn["query"], turn["question"]) if q and q.strip()]
        return "\n".join(dict.fromkeys(questions))

    def pin(self, turn_id: str, source_number: int, questions: str) -> str:
        turn = self.turn(turn_id)
        if not turn:
            raise ValueError("Open a question first.")
        try:
            source = turn["sources"][int(source_number)]
        except (TypeError, ValueError, IndexError) as error:
            raise ValueError("Choose the passage to pin.") from error
        entry = self.curated.pin(questions or self.default_questions(turn), source, turn_id=turn_id)
        return f"Pinned passage {int(source_number) + 1} as curated answer **#{entry.id}**."

    def section_choices(self) -> list[tuple[str, str]]:
        """Every (document, section) of the live index, for a written answer's source."""
        seen: dict[str, str] = {}
        for chunk in self.bot.index.chunks:
            key = f"{chunk.path}\n{chunk.section}"
            if key not in seen:
                seen[key] = f"{chunk.path} › {chunk.section or chunk.title}"
        return [(label, key) for key, label in seen.items()]

    def section_source(self, key: str) -> dict:
        path, _, section = (key or "").partition("\n")
        chunks = [c for c in self.bot.index.chunks if c.path == path and c.section == section]
        if not chunks:
            raise ValueError("Choose the source this answer rests on.")
        return {"title": chunks[0].title, "section": section, "path": path, "url": chunks[0].source,
                "text": " ".join(c.text for c in chunks)[:4000]}

    def write_answer(self, turn_id: str, questions: str, text: str, source_key: str) -> str:
        turn = self.turn(turn_id) if turn_id else None
        questions = questions or (self.default_questions(turn) if turn else "")
        entry = self.curated.write(questions, text, self.section_source(source_key), turn_id=turn_id or None)
        return f"Saved curated answer **#{entry.id}**."

    def curated_table(self) -> pd.DataFrame:
        indexed = {chunk.path for chunk in self.bot.index.chunks}
        rows = [[e.id, " | ".join(e.questions), e.kind, shorten(e.text, 160),
                 " > ".join(x for x in (e.source_path, e.source_section) if x) or e.source_title,
                 "yes" if e.source_path in indexed else "no (document removed)", _when(e.updated_at)]
                for e in self.curated.list()]
        return pd.DataFrame(rows, columns=["id", "questions", "kind", "answer", "source", "source in corpus",
                                           "updated (UTC)"])

    # ------------------------------------------------------------ corpus

    def documents_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.corpus.documents(), columns=["document", "size_kb", "modified", "chunks", "status"])

    # ------------------------------------------------------------ insight

    def insight(self, days: int | None = 30) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        since = time.time() - days * 86400 if days else None
        daily = self.chatlog.daily_stats(since)
        per_day = pd.DataFrame({"day": [d["day"] for d in daily], "questions": [d["questions"] for d in daily]})
        shares = pd.DataFrame(
            [{"day": pd.Timestamp(d["day"]), "share": round(100 * float(d[key] or 0), 1), "measure": label}
             for d in daily for key, label in (("declined", "declined"), ("thumbs_down", "thumbs-down"))],
            columns=["day", "share", "measure"])
        top = self.chatlog.top_declined(10, since)
        gaps = pd.DataFrame([{"question": shorten(t["question"], 70), "times": t["times"]} for t in top],
                            columns=["question", "times"])
        total = sum(d["questions"] for d in daily)
        declined = sum(d["declined"] * d["questions"] for d in daily)
        down = sum((d["thumbs_down"] or 0) * d["questions"] for d in daily)
        summary = (f"**{total}** questions · **{100 * declined / total:.0f} %** declined · "
                   f"**{100 * down / total:.0f} %** thumbs-down" if total else "No questions yet.")
        return per_day, shares, gaps, summary


def _quote_block(text: str) -> str:
    """The stored answer (Markdown the core produced, corpus text already escaped) as a quote block."""
    return "\n".join(f"> {line}" for line in (text or "").split("\n"))
