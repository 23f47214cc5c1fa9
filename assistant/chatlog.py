"""The anonymous question and feedback log: SQLite in WAL mode, written off the chat's path.

Every write goes through one background thread, so a slow, full or broken disk
never delays or breaks a reply: a failed write is caught and logged, and the chat
goes on. Each row is committed on its own (synchronous=FULL), so a crash loses at
most the row being written. Sessions are stored as a hash of Gradio's random
session id: no names, addresses or cookies of ours.
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
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

DATA_DIR_ENV = "ASSISTANT_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DB_NAME = "chatlog.sqlite3"
QUEUE_LIMIT = 10_000
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
"""


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """--data-dir wins, then $ASSISTANT_DATA_DIR, then ./data."""
    return Path(explicit or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def anonymous_session(session_hash: str | None) -> str:
    """A stable pseudonym for one browser tab or API client, not reversible to its token."""
    raw = session_hash or "no-session"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class ChatLog:
    """Queue rows now, write them in the background; `flush` waits for what was queued."""

    def __init__(self, data_dir: str | os.PathLike | None = None):
        self.path = resolve_data_dir(data_dir) / DB_NAME
        self._queue: queue.Queue[Job | threading.Event | None] = queue.Queue(QUEUE_LIMIT)
        self._connection: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="chatlog-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ public API

    def log_turn(self, *, session: str, channel: str, question: str, answer: str, answered: bool,
                 language: str | None, sources: list[dict[str, Any]], latency_ms: float) -> str:
        """Queue one question/answer; return its id at once so feedback can point to it."""
        turn_id = uuid.uuid4().hex
        row = (turn_id, session, time.time(), channel, question, answer, int(answered), language,
               json.dumps(sources, ensure_ascii=False), round(latency_ms, 1))
        self._submit(lambda db: db.execute(
            "INSERT INTO turns (id, session, created_at, channel, question, answer, answered, language,"
            " sources, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row))
        return turn_id

    def log_feedback(self, *, turn_id: str, session: str, rating: str | None = None,
                     comment: str | None = None) -> None:
        """Queue a rating ("up", "down", "cleared") or a free comment on one answer."""
        row = (turn_id, session, time.time(), rating, comment)
        self._submit(lambda db: db.execute(
            "INSERT INTO feedback (turn_id, session, created_at, rating, comment) VALUES (?, ?, ?, ?, ?)", row))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far is written (or failed); True if done in time."""
        done = threading.Event()
        self._submit(done, always=True)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer thread."""
        self.flush(timeout)
        self._queue.put(None)
        self._thread.join(timeout)

    # ------------------------------------------------------------ writer thread

    def _submit(self, job: Job | threading.Event, always: bool = False) -> None:
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            if always:
                self._queue.put(job)
            else:
                log.error("chat log queue full: dropping a row")

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if isinstance(job, threading.Event):  # a flush marker: all before it is done
                job.set()
                continue
            try:
                db = self._connect()
                job(db)
                db.commit()
            except Exception:  # the log must never take the chat down
                log.exception("chat log write failed (%s)", self.path)
                self._reset()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            self._connection = db
        return self._connection

    def _reset(self) -> None:
        """Drop a connection that failed, so the next row tries afresh."""
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
        self._connection = None
