"""How long the log keeps visitors' words: the retention setting, the daily deletion, and deleting
one conversation at a visitor's request (with its feedback, and out of the exports)."""
from __future__ import annotations

import csv
import sqlite3
import time

import pytest

from assistant.ops.chatlog import ChatLog
from assistant.ops.retention import (
    DEFAULT_RETENTION_DAYS,
    RETENTION_ENV,
    forget_conversation,
    forget_older_than,
    keep_for,
    retention_days,
)

DAY = 86400.0


@pytest.fixture
def log(tmp_path):
    chatlog = ChatLog(tmp_path)
    yield chatlog
    chatlog.close()


def turn(log: ChatLog, session: str, question: str, days_ago: float = 0.0) -> str:
    turn_id = log.log_turn(session=session, channel="web", question=question, answer="a", answered=True,
                           language="en", sources=[], latency_ms=1.0)
    assert turn_id and log.log_feedback(turn_id=turn_id, session=session, rating="up", comment="thanks")
    if days_ago:
        assert log.run(lambda db: db.execute("UPDATE turns SET created_at = ? WHERE id = ?",
                                             (time.time() - days_ago * DAY, turn_id)))
    return turn_id


def feedback_turns(log: ChatLog) -> set[str]:
    assert log.flush()
    with sqlite3.connect(log.path) as db:
        return {row[0] for row in db.execute("SELECT turn_id FROM feedback")}


@pytest.mark.parametrize("explicit, environment, days", [(30, "90", 30), (None, "90", 90), (None, None, 365)])
def test_the_retention_comes_from_the_option_then_the_environment_then_a_year(monkeypatch, explicit, environment,
                                                                              days):
    if environment is None:
        monkeypatch.delenv(RETENTION_ENV, raising=False)
    else:
        monkeypatch.setenv(RETENTION_ENV, environment)
    assert retention_days(explicit) == days and DEFAULT_RETENTION_DAYS == 365


def test_a_retention_under_one_day_is_refused():
    with pytest.raises(ValueError, match="at least one day"):
        retention_days(0)


def test_turns_older_than_the_retention_go_with_their_feedback(log):
    old = turn(log, "a", "asked last year", days_ago=400)
    recent = turn(log, "a", "asked yesterday", days_ago=1)
    assert forget_older_than(log, 365) == 1
    assert [t["question"] for t in log.review()] == ["asked yesterday"]
    assert feedback_turns(log) == {recent} and old not in feedback_turns(log)


def test_the_daily_deletion_runs_at_start(log):
    turn(log, "a", "asked long ago", days_ago=40)
    turn(log, "b", "asked today")
    stop = keep_for(log, 30)
    try:
        deadline = time.time() + 10
        while len(log.review()) > 1 and time.time() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
    assert [t["question"] for t in log.review()] == ["asked today"]


def test_staff_delete_one_conversation_its_feedback_and_its_rows_in_exports(log, tmp_path):
    first = turn(log, "visitor", "When was AVSF founded?")
    turn(log, "visitor", "and NAMAC?")
    other = turn(log, "someone else", "What is NAMAC?")
    assert forget_conversation(log, first) == 2
    assert [t["question"] for t in log.review()] == ["What is NAMAC?"]
    assert feedback_turns(log) == {other}
    with open(log.export_csv(tmp_path / "review.csv"), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2 and "What is NAMAC?" in rows[1]
    assert forget_conversation(log, first) == 0  # already gone
