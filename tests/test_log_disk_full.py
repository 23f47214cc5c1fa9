"""A full disk under the data folder, for real (a 400 kB tmpfs, filled): the chat keeps answering,
nothing unsaved is acknowledged, staff see since when and what was lost, and logging resumes by
itself once space returns."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ops.chatlog import ChatLog
from assistant.web.chat_service import ChatService
from assistant.web.staff_console import outage_alert

LONG_ANSWER = "The network grew. " * 3000  # about 54 kB: each turn needs new pages in the WAL


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here (it needs root): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Write zeros until the disk says it is full."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 65536)
    except OSError:
        pass
    finally:
        os.close(descriptor)
    return filler


def log_turn(log: ChatLog, question: str) -> str:
    return log.log_turn(session="s", channel="web", question=question, answer=LONG_ANSWER, answered=True,
                        language="en", sources=[], latency_ms=1.0)


def test_a_full_disk_loses_no_answer_tells_staff_and_logging_resumes_by_itself(small_disk, bot):
    log = ChatLog(small_disk / "data")
    chat = ChatService(bot, log)
    try:
        first = log_turn(log, "before the disk filled")
        assert first and log.writable() and outage_alert(log.outage) == ""
        filler = fill(small_disk)

        reply, turn_id = chat.ask("When was AVSF founded?", [], "visitor", "web")
        assert reply.answered and "1977" in reply.text and turn_id == ""  # answered, not logged
        assert log_turn(log, "while the disk is full") == ""
        assert not chat.rate(first, "visitor", rating="up")  # the visitor is told it was not saved
        assert not log.writable()
        alert = outage_alert(log.outage)
        assert "cannot be written since" in alert and "2 question(s) and 1 feedback item(s)" in alert

        filler.unlink()
        assert log_turn(log, "after space returned")
        assert log.writable() and "Logging has resumed" in outage_alert(log.outage)
        questions = {turn["question"] for turn in log.review()}
        assert questions == {"before the disk filled", "after space returned"}
    finally:
        log.close()
