"""The staff console's logic, without UI: review every answer and why, fix wrong ones, change the corpus, see the gaps.

`staff_ui.py` and `staff_review.py` lay it out at /staff, behind `staff_auth.py`; a logged
turn's Markdown and inspector come from `turn_view.py`. Tabs: Review (filters, right/wrong,
pin or write the answer, teach a word, CSV export), Curated answers (list, edit, remove),
Vocabulary (`staff_vocabulary.py`: visitors' words -> the texts' words), Corpus (`staff_corpus.py`:
upload, a translation declared, remove, background rebuild with progress and result), Insight.
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
from assistant.curation.vocabulary import VocabularyStore, words_to_teach
from assistant.ops.chatlog import ChatLog
from assistant.ops.corpus_admin import CorpusAdmin
from assistant.ops.log_writer import Outage
from assistant.ops.retention import forget_conversation
from assistant.ops.upload_checks import MAX_UPLOAD_BYTES
from assistant.pipeline import Assistant
from assistant.query.followup import rewrite
from assistant.text import folded_words, plain_text
from assistant.web.rendering import logged_source_label, shorten
from assistant.web.staff_auth import StaffAuth, staff_password
from assistant.web.turn_view import LoggedTurn, feedback_text, result_label, when

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


def _log_filters(declined: bool, thumbs_down: bool, since: Any, until: Any, search: str) -> dict[str, Any]:
    """The review filters as the chat log takes them: days as UTC timestamps, "until" inclusive."""
    end = _day_start(until)
    return {"declined": bool(declined), "thumbs_down": bool(thumbs_down), "since": _day_start(since),
            "until": end + 86400 if end is not None else None, "search": search or ""}


SHORT_ID = 12  # hex digits of a turn id in the review table: unique among millions of turns


class StaffConsole:
    """Everything staff can do, as plain methods (the Gradio app only lays them out)."""

    def __init__(self, bot: Assistant, chatlog: ChatLog, data_dir: str | os.PathLike[str],
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
        self.vocabulary: VocabularyStore = bot.curated.vocabulary  # the one bot.ask reads
        self.corpus = CorpusAdmin(bot, max_upload_bytes)
        self.max_upload_bytes = max_upload_bytes

    # ------------------------------------------------------------ review

    def delete_conversation(self, turn_id: str) -> str:
        """Delete the whole conversation this turn belongs to (a visitor's request), with its feedback."""
        deleted = forget_conversation(self.chatlog, turn_id) if turn_id else 0
        if not deleted:
            raise ValueError("This conversation is no longer in the log, or could not be deleted just now.")
        return f"Deleted the conversation: {deleted} question(s), with their feedback and verdicts."

    def log_alert(self) -> str:
        """A visible warning when questions or feedback could not be logged; "" when all were."""
        return outage_alert(self.chatlog.outage if self.chatlog else None)

    def review_rows(self, declined: bool = False, thumbs_down: bool = False, since: Any = None,
                    until: Any = None, search: str = "") -> list[LoggedTurn]:
        return self.chatlog.review(**_log_filters(declined, thumbs_down, since, until, search))

    def review_table(self, *filters: Any) -> pd.DataFrame:
        rows = [[when(t["created_at"]), t["language"] or "", t["channel"], shorten(t["question"], 140),
                 shorten(plain_text(t["answer"]), 160), result_label(t), feedback_text(t), t.get("verdict") or "",
                 t["id"][:SHORT_ID]] for t in self.review_rows(*filters)]
        return pd.DataFrame(rows, columns=REVIEW_COLUMNS)

    def export(self, declined: bool = False, thumbs_down: bool = False, since: Any = None, until: Any = None,
               search: str = "") -> Path:
        """The filtered review as a CSV file of its own, so that two exports in the same second never
        share one (the caller deletes it once sent)."""
        filters = _log_filters(declined, thumbs_down, since, until, search)
        handle, name = tempfile.mkstemp(prefix=f"chat-review-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".csv")
        os.close(handle)
        try:
            return self.chatlog.export_csv(name, **filters)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def turn(self, turn_id: str) -> LoggedTurn | None:
        """A turn by its id, or by the short id the review table shows."""
        if not turn_id:
            return None
        return self.chatlog.turn(turn_id) or self.chatlog.turn_starting(turn_id)

    def mark(self, turn_id: str, verdict: str, note: str = "") -> str:
        turn = self.turn(turn_id)
        if not turn:
            raise ValueError("Open a question first.")
        if not self.chatlog.mark(turn["id"], verdict, note):
            raise ValueError("The verdict could not be saved just now (see the server log); please try again.")
        return f"Marked **{verdict}**."

    # ------------------------------------------------------------ fixing

    def pin_choices(self, turn: LoggedTurn) -> list[tuple[str, int]]:
        return [(f"{n + 1}. {logged_source_label(s)} — {shorten(s.get('text', ''), 90)}", n)
                for n, s in enumerate(turn["sources"]) if s.get("text")]

    def default_questions(self, turn: LoggedTurn) -> str:
        """The visitor's own words and, for a follow-up, the question made whole from the conversation;
        never the searched form, whose added glossary words would be saved as if someone had asked them."""
        whole = rewrite(turn["question"], turn["history"]) if turn["history"] else ""
        return "\n".join(dict.fromkeys(q for q in (turn["question"], whole) if q and q.strip()))

    def pin(self, turn_id: str, source_number: int | None, questions: str) -> str:
        turn = self.turn(turn_id)
        if not turn:
            raise ValueError("Open a question first.")
        if source_number is None or not 0 <= int(source_number) < len(turn["sources"]):
            raise ValueError("Choose the passage to pin.")
        source = turn["sources"][int(source_number)]
        entry = self.curated.pin(questions or self.default_questions(turn), source, turn_id=turn["id"])
        return f"Pinned passage {int(source_number) + 1} as curated answer **#{entry.id}**."

    def section_choices(self) -> list[tuple[str, str]]:
        """Every (document, section) of the live index, for a written answer's source."""
        seen: dict[str, str] = {}
        for chunk in self.bot.index.chunks:
            key = f"{chunk.path}\n{chunk.section}"
            if key not in seen:
                seen[key] = f"{chunk.path} › {chunk.section or chunk.title}"
        return [(label, key) for key, label in seen.items()]

    def section_source(self, key: str) -> dict[str, str | None]:
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
        rows = [[e.id, shorten(" | ".join(e.questions), 160), e.kind, shorten(e.text, 160),
                 " > ".join(x for x in (e.source_path, e.source_section) if x) or e.source_title,
                 "yes" if e.source_path in indexed else "no (document removed)", when(e.updated_at)]
                for e in self.curated.list()]
        return pd.DataFrame(rows, columns=["id", "questions", "kind", "answer", "source", "source in corpus",
                                           "updated (UTC)"])

    # ------------------------------------------------------------ vocabulary

    def vocabulary_table(self, language: str | None) -> pd.DataFrame:
        rows = [[e.word, e.english, e.origin, when(e.created_at)] for e in self.vocabulary.entries(language or "en")]
        return pd.DataFrame(rows, columns=["visitor's word", "texts' English words", "from", "added (UTC)"])

    def words_to_teach(self, turn: LoggedTurn) -> list[str]:
        """The visitor's words, those the texts do not use first: what a "teach a word" starts from."""
        return words_to_teach(turn["question"], self.bot.index.vocabulary)

    def teach(self, language: str, word: str, english: str) -> str:
        """Add an entry; it applies from the next question. Warns when the texts use none of its words."""
        entry = self.vocabulary.add(language, word, english)
        message = f"Taught ({entry.language}) “{entry.word}” → “{entry.english}”: it applies from the next question."
        if not any(w in self.bot.index.vocabulary for w in folded_words(entry.english).split()):
            message += f" ⚠ The texts use none of “{entry.english}”: check its spelling, or remove it."
        return message

    def forget(self, language: str, word: str) -> str:
        entry = self.vocabulary.remove(language, word)
        return f"Removed ({entry.language}) “{entry.word}” → “{entry.english}”."

    # ------------------------------------------------------------ corpus

    def documents_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.corpus.documents(), columns=["document", "size_kb", "modified", "chunks", "status"])

    # ------------------------------------------------------------ insight

    def insight(self, days: int | None = 30) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        since = time.time() - days * 86400 if days else None
        daily = self.chatlog.daily_stats(since)
        per_day = pd.DataFrame({"day": [d["day"] for d in daily], "questions": [d["questions"] for d in daily]})
        shares = pd.DataFrame(
            [{"day": d["day"], "share": round(100 * float(d[key] or 0), 1), "measure": label}  # as the other chart
             for d in daily for key, label in (("declined", "declined"), ("unsure", "not sure"),
                                               ("thumbs_down", "thumbs-down"))],
            columns=["day", "share", "measure"])
        top = self.chatlog.top_declined(10, since)
        gaps = pd.DataFrame([{"question": shorten(t["question"], 70), "times": t["times"]} for t in top],
                            columns=["question", "times"])
        total = sum(d["questions"] for d in daily)
        declined, unsure, down = (sum((d[key] or 0) * d["questions"] for d in daily)
                                  for key in ("declined", "unsure", "thumbs_down"))
        summary = (f"**{total}** questions · **{100 * declined / total:.0f} %** declined · "
                   f"**{100 * unsure / total:.0f} %** quoted as not sure · "
                   f"**{100 * down / total:.0f} %** thumbs-down" if total else "No questions yet.")
        return per_day, shares, gaps, summary


def outage_alert(outage: Outage | None) -> str:
    """What staff must know about the log's latest outage: since when, what was lost, whether it goes on."""
    if outage is None:
        return ""
    lost = f"{outage.turns} question(s) and {outage.feedback} feedback item(s) could not be logged"
    if outage.resumed is None:
        return (f"⚠ **The question log cannot be written since {when(outage.since)} UTC** ({outage.error}): "
                f"{lost} so far. The chat keeps answering, and visitors are told their feedback was not saved. "
                "Free disk space or fix the data folder's permissions: logging resumes by itself.")
    return (f"⚠ The question log could not be written from {when(outage.since)} to {when(outage.resumed)} UTC: "
            f"{lost}. Logging has resumed.")
