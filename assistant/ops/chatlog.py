"""The anonymous question and feedback log as staff read it: review filters, one turn in full, CSV export, figures.

The writing (schema, the writer thread, durability) is `log_writer`'s. Each staff
query opens its own short-lived read-only connection once the writer has caught
up; WAL lets it read while the writer writes.
"""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.ops.log_writer import ChatLogWriter
from assistant.text import folded_words, plain_text
from assistant.types import ReplyKind

REVIEW_LIMIT = 500
# a quote given as the texts' closest passage, not as the answer (turns logged before kinds were kept: never)
UNSURE_TURN = (f"coalesce(CASE WHEN json_valid(t.trace) THEN json_extract(t.trace, '$.reply_kind') END"
               f" = '{ReplyKind.UNSURE}', 0)")
CSV_COLUMNS = ["time_utc", "channel", "language", "question", "rewritten_query", "answered", "answer",
               "rating", "comments", "verdict", "top_source", "session", "latency_ms", "turn_id"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LATEST_RATING = ("SELECT f.rating FROM feedback f WHERE f.turn_id = t.id AND f.rating IS NOT NULL"
                 " ORDER BY f.id DESC LIMIT 1")
COMMENTS = ("SELECT group_concat(f.comment, ' | ') FROM feedback f"
            " WHERE f.turn_id = t.id AND f.comment IS NOT NULL")
LATEST_VERDICT = "SELECT r.verdict FROM reviews r WHERE r.turn_id = t.id ORDER BY r.id DESC LIMIT 1"
VERDICT_NOTE = "SELECT r.note FROM reviews r WHERE r.turn_id = t.id ORDER BY r.id DESC LIMIT 1"
TURN_WITH_FEEDBACK = f"t.*, ({LATEST_RATING}) AS rating, ({COMMENTS}) AS comments, ({LATEST_VERDICT}) AS verdict"


class ChatLog(ChatLogWriter):
    """The chat log of one data folder: the writer's recording, plus the staff's queries on it."""

    def review(self, *, declined: bool = False, thumbs_down: bool = False, since: float | None = None,
               until: float | None = None, search: str = "", limit: int = REVIEW_LIMIT) -> list[dict[str, Any]]:
        """Turns newest first with their latest rating, comments and staff verdict, filtered."""
        where, params = _filters(declined, thumbs_down, since, until, search)
        sql = (f"SELECT {TURN_WITH_FEEDBACK} FROM turns t {'WHERE ' + ' AND '.join(where) if where else ''}"
               " ORDER BY t.created_at DESC LIMIT ?")
        return [_turn_dict(row) for row in self._rows(sql, [*params, int(limit)])]

    def turn(self, turn_id: str) -> dict[str, Any] | None:
        """One turn in full (sources, history and trace decoded), or None."""
        rows = self._rows(f"SELECT {TURN_WITH_FEEDBACK}, ({VERDICT_NOTE}) AS verdict_note"
                          " FROM turns t WHERE t.id = ?", (turn_id,))
        return _turn_dict(rows[0]) if rows else None

    def turn_starting(self, prefix: str) -> dict[str, Any] | None:
        """The one turn whose id starts with `prefix` (the review table shows ids shortened), or None."""
        rows = self._rows(f"SELECT {TURN_WITH_FEEDBACK}, ({VERDICT_NOTE}) AS verdict_note FROM turns t"
                          " WHERE t.id LIKE ? ESCAPE '\\' LIMIT 2", (_escape_like(prefix) + "%",))
        return _turn_dict(rows[0]) if len(rows) == 1 and prefix else None

    def export_csv(self, destination: str | os.PathLike[str], **filters: Any) -> Path:
        """The filtered review as CSV (UTF-8 with BOM for spreadsheets; formulas neutralised)."""
        destination = Path(destination)
        with open(destination, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for turn in self.review(limit=1_000_000, **filters):
                writer.writerow([_cell(value) for value in _csv_values(turn)])
        return destination

    def daily_stats(self, since: float | None = None) -> list[dict[str, Any]]:
        """Per UTC day: questions, share declined, share quoted as not sure, share with a thumbs-down
        (latest rating)."""
        sql = (f"SELECT date(t.created_at, 'unixepoch') AS day, count(*) AS questions,"
               f" avg(t.answered = 0) AS declined, avg({UNSURE_TURN}) AS unsure,"
               f" avg(coalesce(({LATEST_RATING}) = 'down', 0)) AS thumbs_down"
               " FROM turns t WHERE t.created_at >= ? GROUP BY day ORDER BY day")
        return [dict(row) for row in self._rows(sql, (float(since or 0),))]

    def top_declined(self, limit: int = 10, since: float | None = None) -> list[dict[str, Any]]:
        """The most frequent declined questions (case, accents, punctuation and spacing folded):
        what staff should write about next. Input-help replies (empty, too long) are left out."""
        sql = ("SELECT question, created_at FROM turns WHERE answered = 0 AND trim(question) != ''"
               " AND coalesce(query, 'x') != '' AND created_at >= ? ORDER BY created_at DESC")
        times: Counter[str] = Counter()
        wording: dict[str, str] = {}
        for row in self._rows(sql, (float(since or 0),)):  # newest first: the newest wording names the group
            key = folded_words(row["question"])
            if key:
                wording.setdefault(key, row["question"])
                times[key] += 1
        ranked = sorted(wording, key=lambda key: -times[key])  # stable: recent first among ties
        return [{"question": wording[key], "times": times[key]} for key in ranked[:limit]]

    def turn_ids(self, where: str, params: Sequence[Any]) -> list[str]:
        """The ids of the turns that match a condition on the turns table."""
        return [row["id"] for row in self._rows(f"SELECT id FROM turns WHERE {where}", params)]

    def _rows(self, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        """One staff query on a short-lived read-only connection, after the writer has caught up."""
        self.flush()  # the writer creates or upgrades the tables
        if not self.path.is_file():
            return []
        db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5.0)
        db.row_factory = sqlite3.Row
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()


def _filters(declined: bool, thumbs_down: bool, since: float | None, until: float | None,
             search: str) -> tuple[list[str], list[Any]]:
    """The review's WHERE conditions and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    if declined:  # and the quotes given as "not sure": what staff most need to check
        where.append(f"(t.answered = 0 OR {UNSURE_TURN})")
    if thumbs_down:
        where.append(f"({LATEST_RATING}) = 'down'")
    if since is not None:
        where.append("t.created_at >= ?")
        params.append(float(since))
    if until is not None:
        where.append("t.created_at < ?")
        params.append(float(until))
    if search and search.strip():
        pattern = "%" + _escape_like(search.strip()) + "%"
        where.append("(t.question LIKE ? ESCAPE '\\' OR t.answer LIKE ? ESCAPE '\\'"
                     " OR t.query LIKE ? ESCAPE '\\')")
        params += [pattern, pattern, pattern]
    return where, params


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _turn_dict(row: sqlite3.Row) -> dict[str, Any]:
    turn = dict(row)
    turn["answered"] = bool(turn["answered"])
    turn["query"] = turn.get("query") or ""
    turn["sources"] = _json(turn.get("sources"), [])
    turn["history"] = _json(turn.get("history"), [])
    turn["trace"] = _json(turn.get("trace"), {})
    if turn.get("rating") == "cleared":
        turn["rating"] = None
    return turn


def _csv_values(turn: dict[str, Any]) -> list[Any]:
    """One turn as the CSV_COLUMNS values."""
    top = turn["sources"][0] if turn["sources"] else {}
    return [time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(turn["created_at"])), turn["channel"],
            turn["language"], turn["question"], turn["query"], "yes" if turn["answered"] else "no",
            plain_text(turn["answer"]), turn["rating"] or "", turn["comments"] or "", turn["verdict"] or "",
            " > ".join(x for x in (top.get("path"), top.get("section")) if x), turn["session"],
            turn["latency_ms"], turn["id"]]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: make them text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
