"""The anonymous question and feedback log: SQLite in WAL mode, one writer thread.

Every write goes through one background thread that commits in groups: it takes
every row waiting in its queue, writes them in one transaction and commits once
(one fsync for many rows under load). A caller is told a row is saved only after
that commit, so whatever the chat acknowledges (a turn id, "thanks for your
feedback") survives a crash or `kill -9`. A failed write is caught, logged and
reported to the caller as not saved; the chat still answers.

Durability: WAL with synchronous=FULL fsyncs the WAL at every commit, so a
committed row also survives a power cut or an OS crash, not only a killed process
(synchronous=NORMAL would already survive `kill -9`, since the WAL sits in the OS
cache, but could lose the last commits on power loss). Group commit keeps the
fsync cost to a few milliseconds per batch, which is why we can afford FULL.

Sessions are stored as a hash of Gradio's random session id: no names, addresses
or cookies of ours. Each turn keeps what staff need to re-open it: the question,
the conversation it leaned on, the rewritten query, the answer, its sources (with
their text) and the retrieval trace. The read side (review table, CSV export,
insight figures) opens its own short-lived connections; WAL lets it read while
the writer writes.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import queue
import re
import sqlite3
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATA_DIR_ENV = "ASSISTANT_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DB_NAME = "chatlog.sqlite3"
QUEUE_LIMIT = 10_000
BATCH_LIMIT = 500  # rows per commit at most
WRITE_TIMEOUT = 10.0  # seconds a caller waits for its commit
Job = Callable[[sqlite3.Connection], Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    created_at REAL NOT NULL,
    channel TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered INTEGER NOT NULL,
    language TEXT,
    sources TEXT NOT NULL,
    latency_ms REAL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id TEXT NOT NULL,
    session TEXT NOT NULL,
    created_at REAL NOT NULL,
    rating TEXT,
    comment TEXT
);
CREATE INDEX IF NOT EXISTS feedback_turn ON feedback (turn_id);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS reviews_turn ON reviews (turn_id);
CREATE INDEX IF NOT EXISTS turns_created ON turns (created_at);
"""
# Columns added after the first release: added in place to older logs.
LATER_COLUMNS = {"query": "TEXT", "history": "TEXT", "trace": "TEXT"}
VERDICTS = ("right", "wrong")
REVIEW_LIMIT = 500
CSV_COLUMNS = ["time_utc", "channel", "language", "question", "rewritten_query", "answered", "answer",
               "rating", "comments", "verdict", "top_source", "session", "latency_ms", "turn_id"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """--data-dir wins, then $ASSISTANT_DATA_DIR, then ./data."""
    return Path(explicit or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def anonymous_session(session_hash: str | None) -> str:
    """A stable pseudonym for one browser tab or API client, not reversible to its token."""
    raw = session_hash or "no-session"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class Write:
    """One queued job and, once the writer has committed it (or failed), whether it was saved."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.saved = False
        self._done = threading.Event()

    def finish(self, saved: bool) -> None:
        self.saved = saved
        self._done.set()

    def done(self, timeout: float = WRITE_TIMEOUT) -> bool:
        """True once the writer has dealt with it, saved or not."""
        return self._done.wait(timeout)

    def wait(self, timeout: float = WRITE_TIMEOUT) -> bool:
        """True only when the row is committed (a timeout counts as not saved)."""
        return self.done(timeout) and self.saved


class ChatLog:
    """Rows are queued, written in groups by one thread; each call returns once its row is committed."""

    def __init__(self, data_dir: str | os.PathLike | None = None):
        self.path = resolve_data_dir(data_dir) / DB_NAME
        self._queue: queue.Queue[Write | None] = queue.Queue(QUEUE_LIMIT)
        self._connection: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="chatlog-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ public API

    def log_turn(self, *, session: str, channel: str, question: str, answer: str, answered: bool,
                 language: str | None, sources: list[dict[str, Any]], latency_ms: float,
                 query: str | None = None, history: list[dict] | None = None,
                 trace: dict | None = None) -> str:
        """Save one question/answer; return its id once committed (feedback points to it), or ""
        when it could not be saved. `query` (the rewritten question), `history` (the turns it
        leaned on) and `trace` (ranks and scores) let staff re-open the reply later."""
        turn_id = uuid.uuid4().hex
        row = (turn_id, session, time.time(), channel, question, answer, int(answered), language,
               json.dumps(sources, ensure_ascii=False), round(latency_ms, 1), query or "",
               json.dumps(history or [], ensure_ascii=False), json.dumps(trace or {}, ensure_ascii=False))
        saved = self._write(lambda db: db.execute(
            "INSERT INTO turns (id, session, created_at, channel, question, answer, answered, language,"
            " sources, latency_ms, query, history, trace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row))
        return turn_id if saved else ""

    def log_feedback(self, *, turn_id: str, session: str, rating: str | None = None,
                     comment: str | None = None) -> bool:
        """Save a rating ("up", "down", "cleared") or a free comment on one answer; True once committed."""
        row = (turn_id, session, time.time(), rating, comment)
        return self._write(lambda db: db.execute(
            "INSERT INTO feedback (turn_id, session, created_at, rating, comment) VALUES (?, ?, ?, ?, ?)", row))

    def mark(self, turn_id: str, verdict: str, note: str | None = None) -> bool:
        """Staff's verdict on one answer ("right" or "wrong"); the latest one counts. True once committed."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        row = (turn_id, time.time(), verdict, (note or "").strip()[:2000] or None)
        return self._write(lambda db: db.execute(
            "INSERT INTO reviews (turn_id, created_at, verdict, note) VALUES (?, ?, ?, ?)", row))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far is written (or failed); True if done in time.
        (It also creates or upgrades the tables when the database is new.)"""
        marker = Write(lambda db: None)
        self._enqueue(marker, timeout)
        return marker.done(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer thread."""
        self.flush(timeout)
        self._queue.put(None)
        self._thread.join(timeout)

    # ------------------------------------------------------------ writer thread

    def _write(self, job: Job, timeout: float = WRITE_TIMEOUT) -> bool:
        write = Write(job)
        self._enqueue(write, timeout)
        return write.wait(timeout)

    def _enqueue(self, write: Write, timeout: float) -> None:
        try:
            self._queue.put(write, timeout=timeout)
        except queue.Full:
            log.error("chat log queue full: a row was not saved")
            write.finish(False)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            while len(batch) < BATCH_LIMIT:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = None in batch
            writes = [write for write in batch if write is not None]
            if writes:
                self._commit(writes)

    def _commit(self, writes: list[Write]) -> None:
        """All in one transaction; if that fails, each row alone, so one bad row costs no other."""
        if self._apply(writes):
            return
        for write in writes:
            if len(writes) == 1 or not self._apply([write]):
                write.finish(False)

    def _apply(self, writes: list[Write]) -> bool:
        try:
            db = self._connect()
            for write in writes:
                write.job(db)
            db.commit()
        except Exception as error:  # the log must never take the chat down
            log.error("chat log write failed (%s): %s", self.path, error)
            self._reset()  # closing rolls back the uncommitted rows
            return False
        for write in writes:
            write.finish(True)
        return True

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # see the module docstring
            db.executescript(SCHEMA)
            _add_later_columns(db)
            self._connection = db
        return self._connection

    def _reset(self) -> None:
        """Drop a connection that failed, so the next row tries afresh."""
        if self._connection is not None:
            with suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None

    # ------------------------------------------------------------ read side (staff)

    def _read(self) -> sqlite3.Connection | None:
        """A short-lived connection for staff queries, after the writer has caught up."""
        self.flush()  # the writer creates or upgrades the tables
        if not self.path.is_file():
            return None
        db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5.0)
        db.row_factory = sqlite3.Row
        return db

    def review(self, *, declined: bool = False, thumbs_down: bool = False, since: float | None = None,
               until: float | None = None, search: str = "", limit: int = REVIEW_LIMIT) -> list[dict]:
        """Turns newest first with their latest rating, comments and staff verdict, filtered."""
        where, params = [], []
        if declined:
            where.append("t.answered = 0")
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
        sql = (f"SELECT t.*, ({LATEST_RATING}) AS rating, ({COMMENTS}) AS comments, ({LATEST_VERDICT}) AS verdict"
               f" FROM turns t {'WHERE ' + ' AND '.join(where) if where else ''}"
               " ORDER BY t.created_at DESC LIMIT ?")
        params.append(int(limit))
        db = self._read()
        if db is None:
            return []
        try:
            return [_turn_dict(row) for row in db.execute(sql, params)]
        finally:
            db.close()

    def turn(self, turn_id: str) -> dict | None:
        """One turn in full (sources, history and trace decoded), or None."""
        db = self._read()
        if db is None:
            return None
        try:
            row = db.execute(f"SELECT t.*, ({LATEST_RATING}) AS rating, ({COMMENTS}) AS comments,"
                             f" ({LATEST_VERDICT}) AS verdict, ({VERDICT_NOTE}) AS verdict_note"
                             " FROM turns t WHERE t.id = ?", (turn_id,)).fetchone()
            return _turn_dict(row) if row else None
        finally:
            db.close()

    def export_csv(self, destination: str | os.PathLike, **filters: Any) -> Path:
        """The filtered review as CSV (UTF-8 with BOM for spreadsheets; formulas neutralised)."""
        destination = Path(destination)
        with open(destination, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for turn in self.review(limit=1_000_000, **filters):
                top = turn["sources"][0] if turn["sources"] else {}
                writer.writerow([_cell(value) for value in (
                    time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(turn["created_at"])), turn["channel"],
                    turn["language"], turn["question"], turn["query"], "yes" if turn["answered"] else "no",
                    turn["answer"], turn["rating"] or "", turn["comments"] or "", turn["verdict"] or "",
                    " > ".join(x for x in (top.get("path"), top.get("section")) if x), turn["session"],
                    turn["latency_ms"], turn["id"])])
        return destination

    def daily_stats(self, since: float | None = None) -> list[dict]:
        """Per UTC day: questions, share declined, share with a thumbs-down (latest rating)."""
        sql = (f"SELECT date(t.created_at, 'unixepoch') AS day, count(*) AS questions,"
               f" avg(t.answered = 0) AS declined, avg(coalesce(({LATEST_RATING}) = 'down', 0)) AS thumbs_down"
               " FROM turns t WHERE t.created_at >= ? GROUP BY day ORDER BY day")
        db = self._read()
        if db is None:
            return []
        try:
            return [dict(row) for row in db.execute(sql, (float(since or 0),))]
        finally:
            db.close()

    def top_declined(self, limit: int = 10, since: float | None = None) -> list[dict]:
        """The most frequent declined questions (case, accents, punctuation and spacing folded):
        what staff should write about next. Input-help replies (empty, too long) are left out."""
        sql = ("SELECT question, created_at FROM turns WHERE answered = 0 AND trim(question) != ''"
               " AND coalesce(query, 'x') != '' AND created_at >= ? ORDER BY created_at DESC")
        db = self._read()
        if db is None:
            return []
        try:
            rows = db.execute(sql, (float(since or 0),)).fetchall()
        finally:
            db.close()
        counts: dict[str, list] = {}
        for row in rows:  # newest first: the newest wording names the group
            key = _fold_question(row["question"])
            if key:
                counts.setdefault(key, [row["question"], 0])[1] += 1
        ranked = sorted(counts.values(), key=lambda item: -item[1])  # stable: recent first among ties
        return [{"question": question, "times": times} for question, times in ranked[:limit]]


LATEST_RATING = ("SELECT f.rating FROM feedback f WHERE f.turn_id = t.id AND f.rating IS NOT NULL"
                 " ORDER BY f.id DESC LIMIT 1")
COMMENTS = ("SELECT group_concat(f.comment, ' | ') FROM feedback f"
            " WHERE f.turn_id = t.id AND f.comment IS NOT NULL")
LATEST_VERDICT = "SELECT r.verdict FROM reviews r WHERE r.turn_id = t.id ORDER BY r.id DESC LIMIT 1"
VERDICT_NOTE = "SELECT r.note FROM reviews r WHERE r.turn_id = t.id ORDER BY r.id DESC LIMIT 1"


def _add_later_columns(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
    for name, kind in LATER_COLUMNS.items():
        if name not in present:
            db.execute(f"ALTER TABLE turns ADD COLUMN {name} {kind}")
    db.commit()


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _turn_dict(row: sqlite3.Row) -> dict:
    turn = dict(row)
    turn["answered"] = bool(turn["answered"])
    turn["query"] = turn.get("query") or ""
    turn["sources"] = _json(turn.get("sources"), [])
    turn["history"] = _json(turn.get("history"), [])
    turn["trace"] = _json(turn.get("trace"), {})
    if turn.get("rating") == "cleared":
        turn["rating"] = None
    return turn


def _fold_question(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"[^\W_]+", plain))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: make them text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
