"""The chat log's write side: its schema, one writer thread, and what is recorded (turns, feedback, verdicts).

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
their text) and the retrieval trace.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from assistant.ops.data_dir import resolve_data_dir

log = logging.getLogger(__name__)

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
SCHEMA_VERSION = 2  # PRAGMA user_version once the tables and LATER_COLUMNS are in place
VERDICTS = ("right", "wrong")


def anonymous_session(session_hash: str | None) -> str:
    """A stable pseudonym for one browser tab or API client, not reversible to its token."""
    raw = session_hash or "no-session"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Outage:
    """The latest time the log could not be written (a full disk, a read-only folder): since when,
    what was lost, and when writing resumed; kept after it resumes, so staff learn what was lost."""

    since: float
    error: str
    turns: int = 0
    feedback: int = 0
    resumed: float | None = None


class Write:
    """One queued job and, once the writer has committed it (or failed), whether it was saved."""

    def __init__(self, job: Job, what: str = "row") -> None:
        self.job = job
        self.what = what  # "turn", "feedback" or another row: what an outage counts as lost
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


class ChatLogWriter:
    """Rows are queued, written in groups by one thread; each call returns once its row is committed."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_data_dir(data_dir) / DB_NAME
        self._queue: queue.Queue[Write | None] = queue.Queue(QUEUE_LIMIT)
        self._connection: sqlite3.Connection | None = None
        self.outage: Outage | None = None
        self._thread = threading.Thread(target=self._run, name="chatlog-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ what is recorded

    def log_turn(self, *, session: str, channel: str, question: str, answer: str, answered: bool,
                 language: str | None, sources: list[dict[str, Any]], latency_ms: float,
                 query: str | None = None, history: list[dict[str, Any]] | None = None,
                 trace: dict[str, Any] | None = None) -> str:
        """Save one question/answer; return its id once committed (feedback points to it), or ""
        when it could not be saved. `query` (the rewritten question), `history` (the turns it
        leaned on) and `trace` (ranks and scores) let staff re-open the reply later."""
        turn_id = uuid.uuid4().hex
        row = (turn_id, session, time.time(), channel, question, answer, int(answered), language,
               json.dumps(sources, ensure_ascii=False), round(latency_ms, 1), query or "",
               json.dumps(history or [], ensure_ascii=False), json.dumps(trace or {}, ensure_ascii=False))
        saved = self._write(lambda db: db.execute(
            "INSERT INTO turns (id, session, created_at, channel, question, answer, answered, language,"
            " sources, latency_ms, query, history, trace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row),
            what="turn")
        return turn_id if saved else ""

    def log_feedback(self, *, turn_id: str, session: str, rating: str | None = None,
                     comment: str | None = None) -> bool:
        """Save a rating ("up", "down", "cleared") or a free comment on one answer; True once committed."""
        row = (turn_id, session, time.time(), rating, comment)
        return self._write(lambda db: db.execute(
            "INSERT INTO feedback (turn_id, session, created_at, rating, comment) VALUES (?, ?, ?, ?, ?)", row),
            what="feedback")

    def mark(self, turn_id: str, verdict: str, note: str | None = None) -> bool:
        """Staff's verdict on one answer ("right" or "wrong"); the latest one counts. True once committed."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        row = (turn_id, time.time(), verdict, (note or "").strip()[:2000] or None)
        return self._write(lambda db: db.execute(
            "INSERT INTO reviews (turn_id, created_at, verdict, note) VALUES (?, ?, ?, ?)", row))

    def run(self, job: Job, timeout: float = WRITE_TIMEOUT) -> bool:
        """Any change to the log, made by the writer thread like every write; True once committed."""
        return self._write(job, timeout)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far is written (or failed); True if done in time.
        (It also creates or upgrades the tables when the database is new.)"""
        marker = Write(lambda db: None)
        self._enqueue(marker, timeout)
        return marker.done(timeout)

    def writable(self) -> bool:
        """Whether turns and feedback can be saved now: the last write was, and the folder takes files."""
        writing = self.outage is None or self.outage.resumed is not None
        return writing and os.access(self.path.parent, os.W_OK)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer thread."""
        self.flush(timeout)
        self._queue.put(None)
        self._thread.join(timeout)

    # ------------------------------------------------------------ writer thread

    def _write(self, job: Job, timeout: float = WRITE_TIMEOUT, what: str = "row") -> bool:
        write = Write(job, what)
        self._enqueue(write, timeout)
        return write.wait(timeout)

    def _enqueue(self, write: Write, timeout: float) -> None:
        try:
            self._queue.put(write, timeout=timeout)
        except queue.Full:
            log.error("chat log queue full: a row was not saved")
            self._lost(write, "the log's queue is full")

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
                self._lost(write, self.outage.error if self.outage else "write failed")

    def _lost(self, write: Write, error: str) -> None:
        """A row that could not be saved: its caller is told, and the outage counts it."""
        write.finish(False)
        if self.outage is None or self.outage.resumed is not None:
            self.outage = Outage(since=time.time(), error=error)
        if write.what == "turn":
            self.outage.turns += 1
        elif write.what == "feedback":
            self.outage.feedback += 1

    def _apply(self, writes: list[Write]) -> bool:
        try:
            db = self._connect()
            for write in writes:
                write.job(db)
            db.commit()
        except Exception as error:  # the log must never take the chat down
            log.error("chat log write failed (%s): %s", self.path, error)
            self._reset()  # closing rolls back the uncommitted rows
            if self.outage is None or self.outage.resumed is not None:
                self.outage = Outage(since=time.time(), error=str(error))
            return False
        if self.outage is not None and self.outage.resumed is None:
            self.outage.resumed = time.time()
            log.warning("chat log writes resumed (%s)", self.path)
        for write in writes:
            write.finish(True)
        return True

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # wait for another process's lock (an upgrade, a long write) as long as a caller waits for its row
            db = sqlite3.connect(self.path, timeout=WRITE_TIMEOUT)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # see the module docstring
            upgrade_schema(db)
            self._connection = db
        return self._connection

    def _reset(self) -> None:
        """Drop a connection that failed, so the next row tries afresh."""
        if self._connection is not None:
            with suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None


def upgrade_schema(db: sqlite3.Connection) -> None:
    """Create or upgrade the tables once, whichever process sharing the data folder comes first:
    the work runs inside BEGIN IMMEDIATE, so a second process waits for the lock, then finds
    `user_version` current and goes on. Each step is idempotent, so an interrupted upgrade resumes."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            present = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
            for name, kind in LATER_COLUMNS.items():
                if name not in present:
                    db.execute(f"ALTER TABLE turns ADD COLUMN {name} {kind}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.commit()
    except BaseException:
        db.rollback()
        raise
