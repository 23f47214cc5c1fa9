"""Faults: `kill -9` of the real app (a subprocess) mid-write and mid-re-index, damaged index files,
and corpus files that fail to parse.

The two kill tests start `app.py` as visitors and staff would reach it, and talk to it
over HTTP exactly as its web page does (Gradio's run/queue protocol), so what counts
as "acknowledged" is what the page shows: the comment box closing, the thumbs taken.
"""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from assistant import Assistant
from assistant.ingest.store import IndexUnavailable, load_index
from assistant.ingest.versions import current_version
from assistant.ops.corpus_admin import describe
from assistant.ops.log_writer import DB_NAME, anonymous_session
from assistant.pipeline import ensure_index
from assistant.web.staff_auth import PASSWORD_ENV
from assistant.web.staff_console import StaffConsole
from bench.load import AppProcess
from tests.gradio_page import GradioPage, Visitor

STAFF_PASSWORD = "fault test password"
VISITORS = 12
ACKNOWLEDGED_BEFORE_KILL = 150  # feedback rows acknowledged before the kill (many more are in flight)


@pytest.fixture
def app_dirs(bot, tmp_path):
    """A corpus and index copy (current: the app starts without building) and an empty data folder."""
    shutil.copytree(bot.corpus_dir, tmp_path / "corpus")
    shutil.copytree(bot.index_dir, tmp_path / "index")
    return tmp_path / "corpus", tmp_path / "index", tmp_path / "data"


def start_app(corpus: Path, index: Path, data: Path, monkeypatch) -> AppProcess:
    monkeypatch.setenv(PASSWORD_ENV, STAFF_PASSWORD)
    return AppProcess(data, corpus, index)


# ---------------------------------------------------------------- kill -9 while feedback is written


def test_kill_9_while_feedback_is_written_loses_no_acknowledged_row(app_dirs, monkeypatch):
    corpus, index, data = app_dirs
    app = start_app(corpus, index, data, monkeypatch).wait_ready()
    comments: list[str] = []
    ratings: Counter[str] = Counter()  # anonymous session -> thumbs acknowledged
    lock = threading.Lock()

    def visitor(number: int) -> None:
        try:
            tab = Visitor(app.url)
            answer = tab.ask("When was AVSF founded?")
            for step in range(10_000):
                if tab.thumbs(answer, liked=step % 2 == 0):
                    with lock:
                        ratings[anonymous_session(tab.session)] += 1
                text = f"comment {number}-{step}"
                if tab.comment(text):
                    with lock:
                        comments.append(text)
        except (httpx.HTTPError, RuntimeError):
            return  # the app was killed under us

    threads = [threading.Thread(target=visitor, args=(n,), daemon=True) for n in range(VISITORS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while len(comments) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.05)
    app.kill()  # SIGKILL with writes in flight
    for thread in threads:
        thread.join(30)
    with lock:
        acknowledged, acknowledged_ratings = list(comments), Counter(ratings)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, app.log_text()[-2000:]

    restarted = start_app(corpus, index, data, monkeypatch).wait_ready()  # opens the log the kill left behind
    try:
        answer, _ = Client(restarted.url, verbose=False).predict("What is NAMAC?", api_name="/chat")
        assert "NAMAC" in answer
    finally:
        restarted.stop()
    with sqlite3.connect(data / DB_NAME) as db:
        saved = {row[0] for row in db.execute("SELECT comment FROM feedback WHERE comment IS NOT NULL")}
        saved_ratings = Counter(dict(db.execute("SELECT session, count(*) FROM feedback WHERE rating IS NOT NULL"
                                                " GROUP BY session")))
        orphans = db.execute("SELECT count(*) FROM feedback f LEFT JOIN turns t ON t.id = f.turn_id"
                             " WHERE t.id IS NULL").fetchone()[0]
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    lost = [text for text in acknowledged if text not in saved]
    assert lost == [], f"{len(lost)} acknowledged comments lost, e.g. {lost[:3]}"
    assert all(saved_ratings[session] >= count for session, count in acknowledged_ratings.items())
    assert orphans == 0  # every feedback row's turn was saved before it
    print(f"\nkill -9 with feedback in flight: {len(acknowledged)} comments and "
          f"{sum(acknowledged_ratings.values())} thumbs acknowledged, all found after the restart")


# ---------------------------------------------------------------- kill -9 during a re-index

NEW_DOCUMENT = "# Cooperative register\n\n" + "\n".join(
    f"The cooperative of bag {n} in {soum} soum has {20 + n} herder families and combed {300 + 7 * n} kilograms "
    f"of cashmere in {2000 + n % 24}."
    for n, soum in enumerate(["Bayan-Ovoo", "Tsetserleg", "Erdenebulgan", "Khashaat"] * 10, start=1)
) + "\n\nThe Khongor Ulaan cooperative was the first to sign the union's traceability charter, in 2021.\n"
NEW_QUESTION = "Which cooperative was the first to sign the traceability charter?"


def test_kill_9_during_a_reindex_keeps_the_old_index_and_the_next_start_finishes_it(app_dirs, encoders,
                                                                                     monkeypatch):
    corpus, index, data = app_dirs
    old_version = current_version(index)
    app = start_app(corpus, index, data, monkeypatch).wait_ready()
    during: list[str] = []
    killed = threading.Event()

    def visitor() -> None:
        """Keeps asking while the index is rebuilt (a new session every 20 questions: the rate limit)."""
        while not killed.is_set():
            client = Client(app.url, verbose=False)
            try:
                during.extend(client.predict("When was AVSF founded?", api_name="/chat")[0] for _ in range(20))
            except Exception:  # noqa: BLE001 - the kill cuts the last question short
                return

    def wait_for(condition, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)

    asking = threading.Thread(target=visitor, daemon=True)
    asking.start()
    wait_for(lambda: during)
    (corpus / "register.md").write_text(NEW_DOCUMENT, encoding="utf-8")
    staff = GradioPage(app.url + "staff/", cookies=login_cookie(app.url))
    staff.queued(staff.events[("rebuild-button", "click")], [])  # staff press "Rebuild the index now"
    wait_for(lambda: list(index.glob("tmp-*")))  # the build is writing its new version: kill it now
    killed.set()
    app.kill()
    asking.join(30)
    assert during and all("**1977**" in answer for answer in during), "visitors were served up to the kill"
    assert list(index.glob("tmp-*")), "the build had already finished: the kill did not hit it mid-way"
    assert current_version(index) == old_version
    survivor = load_index(index)  # the old version, checksums verified
    assert not any("Khongor" in chunk.text for chunk in survivor.chunks)
    assert Assistant(corpus, index, encoders, survivor).ask("When was AVSF founded?").answered

    restarted = start_app(corpus, index, data, monkeypatch).wait_ready(timeout=300)  # finishes the re-index
    try:
        answer, sources = Client(restarted.url, verbose=False).predict(NEW_QUESTION, api_name="/chat")
    finally:
        restarted.stop()
    assert "Khongor Ulaan" in answer and sources[0]["document"] == "register.md"
    assert current_version(index) != old_version and not list(index.glob("tmp-*"))


def login_cookie(url: str) -> dict:
    from assistant.web.staff_auth import COOKIE

    response = httpx.post(url + "staff/login", data={"password": STAFF_PASSWORD})
    assert response.status_code == 200
    return {COOKIE: response.cookies[COOKIE]}


# ---------------------------------------------------------------- damaged index files


def damage(folder: Path, what: str) -> None:
    if what == "chunks.json truncated":
        path = folder / "chunks.json"
        path.write_bytes(path.read_bytes()[:200])
    elif what == "bm25 file emptied":
        next(p for p in sorted((folder / "bm25-sentences").iterdir()) if p.is_file()).write_bytes(b"")
    elif what == "manifest.json garbage":
        (folder / "manifest.json").write_text("{ not json")


CHECKSUMMED = ["chunks.json truncated", "bm25 file emptied"]


@pytest.mark.parametrize("what", CHECKSUMMED + ["manifest.json garbage"])
def test_damaged_index_is_detected_logged_and_rebuilt(app_dirs, encoders, what, caplog):
    corpus, index, _ = app_dirs
    damage(current_version(index), what)
    if what in CHECKSUMMED:
        with pytest.raises(IndexUnavailable, match="checksum mismatch"):
            load_index(index)
    rebuilt = ensure_index(corpus, index, encoders)
    reply = Assistant(corpus, index, encoders, rebuilt).ask("When was AVSF founded?")
    assert reply.answered and "1977" in reply.text
    assert load_index(index).folder == rebuilt.folder  # the rebuilt version is live and intact
    if what in CHECKSUMMED:
        assert "rebuilding" in caplog.text and "checksum mismatch" in caplog.text


# ---------------------------------------------------------------- corpus files that fail to parse


def test_unreadable_corpus_files_are_skipped_and_named_in_the_log_and_on_the_staff_page(app_dirs, encoders,
                                                                                         caplog):
    corpus, index, data = app_dirs
    (corpus / "annual-report.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> truncated")
    (corpus / "minutes.txt").write_bytes(b"Minutes of the meeting\n\xff\xfe\x00garbage \x80\x81")
    bot = Assistant.open(corpus, index, encoders=encoders, data_dir=data)  # the start re-indexes: the corpus changed
    assert bot.ask("When was AVSF founded?").answered  # the readable texts still answer
    skipped = bot.index.manifest["skipped"]
    assert "annual-report.pdf" in skipped and "annual-report.pdf" in caplog.text

    console = StaffConsole(bot, chatlog=None, data_dir=data, password=STAFF_PASSWORD)
    try:
        status = console.documents_table().set_index("document")["status"]
        for name in skipped:
            assert status[name].startswith("not readable"), (name, status[name])
            assert name in caplog.text
        console.corpus.request_rebuild("test")
        assert "Not readable, skipped: " in describe(console.corpus.wait(120))
        assert "annual-report.pdf" in describe(console.corpus.status())
    finally:
        console.curated.close()


# ---------------------------------------------------------------- two apps on one data folder


def test_two_apps_started_together_on_one_data_folder_log_every_turn_and_acknowledged_feedback(app_dirs,
                                                                                                monkeypatch):
    """A restart overlap, or two workers behind a proxy: both create the log at the same moment, then
    4 visitors ask 15 questions each, alternating apps, and rate every answer."""
    corpus, index, data = app_dirs
    apps = [start_app(corpus, index, data, monkeypatch) for _ in range(2)]
    questions = ["When was AVSF founded?", "What is NAMAC?", "How many families are in the network?"]

    def visitor(number: int) -> int:
        tab = Visitor(apps[number % 2].url)
        return sum(tab.thumbs(tab.ask(questions[step % 3]), liked=step % 2 == 0) for step in range(15))

    try:
        for app in apps:
            app.wait_ready()
        with ThreadPoolExecutor(4) as pool:
            acknowledged = sum(pool.map(visitor, range(4)))
    finally:
        for app in apps:
            app.stop()
    with sqlite3.connect(data / DB_NAME) as db:
        turns = db.execute("SELECT count(*) FROM turns").fetchone()[0]
        ratings = db.execute("SELECT count(*) FROM feedback WHERE rating IS NOT NULL").fetchone()[0]
    assert turns == 60 and acknowledged == ratings == 60
