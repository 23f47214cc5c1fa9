"""Two processes on one data folder: the chat log's schema upgrade runs once, and no turn is lost.

Two app processes share a data folder during a restart overlap, or behind a proxy. Each opens the
log and upgrades an older one in place. Here two real processes are released by one barrier, and
each holds the other at the point where the old code raced (after reading which columns exist,
before adding them), so the race happens every time rather than once in five runs.
"""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

from assistant.ops.chatlog import ChatLog
from assistant.ops.log_writer import DB_NAME, LATER_COLUMNS

FIRST_RELEASE = """
CREATE TABLE turns (id TEXT PRIMARY KEY, session TEXT NOT NULL, created_at REAL NOT NULL, channel TEXT NOT NULL,
                    question TEXT NOT NULL, answer TEXT NOT NULL, answered INTEGER NOT NULL, language TEXT,
                    sources TEXT NOT NULL, latency_ms REAL);
INSERT INTO turns VALUES ('old', 's', 0, 'web', 'When was AVSF founded?', '1977', 1, 'en', '[]', 12.0);
"""


class HeldAfterReadingColumns(sqlite3.Connection):
    """A connection that waits at the barrier once it has read the turns table's columns."""

    barrier: threading.Barrier | None = None

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = super().execute(sql, *args)
        if sql.startswith("PRAGMA table_info(turns)") and self.barrier is not None:
            barrier, HeldAfterReadingColumns.barrier = self.barrier, None
            try:
                barrier.wait(timeout=3)  # the other process may be waiting for our lock: go on
            except threading.BrokenBarrierError:
                pass
        return cursor


def log_one_turn(data_dir: Path, barrier: threading.Barrier, name: str) -> None:
    HeldAfterReadingColumns.barrier = barrier
    original = sqlite3.connect
    sqlite3.connect = lambda *args, **kwargs: original(*args, factory=HeldAfterReadingColumns, **kwargs)
    log = ChatLog(data_dir)
    turn_id = log.log_turn(session=name, channel="web", question=f"question from {name}", answer="a",
                           answered=True, language="en", sources=[], latency_ms=1.0, query="q")
    log.close()
    raise SystemExit(0 if turn_id else 1)


def test_two_processes_upgrade_an_older_log_once_and_both_turns_are_kept(tmp_path):
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.executescript(FIRST_RELEASE)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=log_one_turn, args=(tmp_path, barrier, f"p{n}")) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]  # each was told its turn is saved
    log = ChatLog(tmp_path)
    try:
        questions = {turn["question"] for turn in log.review()}
    finally:
        log.close()
    assert questions == {"When was AVSF founded?", "question from p0", "question from p1"}
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
        assert set(LATER_COLUMNS) <= columns
        assert db.execute("PRAGMA user_version").fetchone()[0] > 0
