"""How long visitors' words are kept: turns and their feedback older than the retention are deleted
once a day, and staff can delete one conversation at a visitor's request.

Only the question log is concerned: curated answers (their own database) are staff's work, not
visitors' words, and are never deleted here.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

from assistant.ops.chatlog import ChatLog

log = logging.getLogger(__name__)

RETENTION_ENV = "ASSISTANT_LOG_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 365
DAY_SECONDS = 86400.0
# the rows of some turns: their staff verdicts, their feedback, then the turns themselves
FORGET = ("DELETE FROM reviews WHERE turn_id IN (SELECT id FROM turns WHERE {where})",
          "DELETE FROM feedback WHERE turn_id IN (SELECT id FROM turns WHERE {where})",
          "DELETE FROM turns WHERE {where}")


def retention_days(explicit: int | None = None) -> int:
    """--log-retention-days wins, then $ASSISTANT_LOG_RETENTION_DAYS, then 365."""
    days = explicit if explicit is not None else int(os.environ.get(RETENTION_ENV, DEFAULT_RETENTION_DAYS))
    if days < 1:
        raise ValueError(f"the log retention must be at least one day, not {days}")
    return days


def forget(db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> None:
    for statement in FORGET:
        db.execute(statement.format(where=where), params)


def forget_older_than(chatlog: ChatLog, days: int, now: float | None = None) -> int:
    """Delete the turns older than `days` days, with their feedback and verdicts; how many turns."""
    cutoff = (now or time.time()) - days * DAY_SECONDS
    count = len(chatlog.turn_ids("created_at < ?", (cutoff,)))
    saved = chatlog.run(lambda db: forget(db, "created_at < ?", (cutoff,)))
    return count if saved else 0


def forget_conversation(chatlog: ChatLog, turn_id: str) -> int:
    """Delete every turn of the conversation (the session) this turn belongs to, with their feedback
    and verdicts, so that they leave the review and its exports too; how many turns."""
    where = "session = (SELECT session FROM turns WHERE id = ?)"
    count = len(chatlog.turn_ids(where, (turn_id,)))
    saved = chatlog.run(lambda db: forget(db, where, (turn_id,)))
    return count if saved else 0


def keep_for(chatlog: ChatLog, days: int) -> threading.Event:
    """Apply the retention now and then once a day, on a daemon thread; set the event to stop."""
    stop = threading.Event()

    def daily() -> None:
        while True:
            try:
                removed = forget_older_than(chatlog, days)
                if removed:
                    log.info("log retention (%d days): %d turns deleted", days, removed)
            except Exception as error:  # the next day tries again; the chat is unaffected
                log.error("log retention failed: %s", error)
            if stop.wait(DAY_SECONDS):
                return

    threading.Thread(target=daily, name="log-retention", daemon=True).start()
    return stop
