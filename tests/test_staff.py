"""The staff console against the real app: real models, real index, real SQLite, real HTTP.

Read-only tests share the session index (through their own Assistant, so `curated`
never leaks into other tests); the upload/remove tests get their own corpus copy,
index and server, since they change the corpus.
"""
from __future__ import annotations

import csv
import os
import shutil
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

from assistant import Assistant
from assistant.curation.store import CuratedAnswers
from assistant.ops.chatlog import ChatLog
from assistant.ops.upload_checks import UploadRefused, safe_name
from assistant.query.kinds import answer_kind
from assistant.web.chat import BackgroundServer, create_app
from assistant.web.staff_auth import COOKIE, PASSWORD_ENV, staff_password
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_ui import CorpusTab, mount_staff
from assistant.web.turn_view import feedback_text, inspector
from tests.conftest import free_port

PASSWORD = "correct horse battery staple"
NEW_TOPIC = """---
title: Yak wool programme
source: https://www.sustainablecashmere-mongolia.com/en/yak-wool/
---
# Yak wool programme

In 2024 the union started a yak wool programme with herders of the Khangai mountains.
The yak down is combed by hand in late spring and sorted by colour at the cooperative.
Each kilogram of sorted yak down is paid 18 percent above the local market price.

## Training
Twelve cooperatives sent two herders each to a three-day training on combing and sorting.
The training was held in Kharkhorin in March, before the combing season.
Trainers from the cooperatives of Arkhangai showed how to keep the fibres long and clean.
A second session for herders of the Gobi-Altai province is planned for the autumn.

## Buyers
Two spinning mills in Ulaanbaatar have agreed to buy the sorted yak down for three years.
The mills pay the cooperatives within thirty days of delivery.
Part of the price goes to a fund that repairs the herders' winter shelters.
"""
NEW_QUESTION = "How much above the market price is yak down paid?"



class Running:
    def __init__(self, bot: Assistant, data_dir: Path):
        self.chatlog = ChatLog(data_dir)
        self.console = StaffConsole(bot, self.chatlog, data_dir, password=PASSWORD)
        app = create_app(bot, self.chatlog, staff=lambda app: mount_staff(app, self.console))
        self.server = BackgroundServer(app, port=free_port()).start()
        self.url = self.server.url
        self.staff = self.url + "staff/"

    def ask(self, question: str, client: Client | None = None) -> tuple[str, list]:
        return (client or Client(self.url, verbose=False)).predict(question, api_name="/chat")

    def stop(self) -> None:
        self.server.stop()
        self.chatlog.close()
        self.console.curated.close()


@pytest.fixture(scope="module")
def app(bot, tmp_path_factory):
    """The real app with the staff console, over the session index (read-only)."""
    data = tmp_path_factory.mktemp("staff-data")
    own = Assistant(bot.corpus_dir, bot.index_dir, bot.encoders, bot.index, curated=CuratedAnswers(data, bot.encoders))
    running = Running(own, data)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def corpus_app(bot, tmp_path_factory):
    """The real app over its own corpus copy and index (the upload tests change them)."""
    root = tmp_path_factory.mktemp("staff-corpus")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(bot.corpus_dir, corpus)
    shutil.copytree(bot.index_dir, index)  # same corpus: the index is current, nothing to build
    for path in corpus.iterdir():
        path.chmod(0o644)
    own = Assistant.open(corpus, index, encoders=bot.encoders, data_dir=root / "data")
    running = Running(own, root / "data")
    yield running
    running.stop()


def login(app: Running, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=app.url.rstrip("/"), timeout=30)
    response = client.post("/staff/login", data={"password": password})
    assert response.status_code == 200 and response.json() == {"success": True}
    return client


# ---------------------------------------------------------------- access


ANONYMOUS_CALLS = [
    ("GET", "staff"), ("GET", "staff/"), ("GET", "staff/config"), ("GET", "staff/gradio_api/info"),
    ("GET", "staff/gradio_api/info?all_endpoints=true"), ("GET", "staff/gradio_api/openapi.json"),
    ("POST", "staff/gradio_api/queue/join"), ("GET", "staff/gradio_api/queue/data?session_hash=x"),
    ("POST", "staff/gradio_api/call/v2/anything"), ("POST", "staff/gradio_api/run/predict"),
    ("POST", "staff/gradio_api/upload"), ("GET", "staff/gradio_api/heartbeat/x"), ("POST", "staff/gradio_api/reset"),
    ("GET", "staff/gradio_api/file=data/chatlog.sqlite3"), ("GET", "staff/theme.css"),
    ("GET", "staff/export.csv"),
]


@pytest.mark.parametrize("method, path", ANONYMOUS_CALLS)
def test_staff_routes_refuse_anonymous_calls(app, method, path):
    body = {"data": [], "fn_index": 0, "session_hash": "x"} if method == "POST" else None
    for cookie in ({}, {COOKIE: "forged-token"}):
        response = httpx.request(method, app.url + path, json=body, cookies=cookie, follow_redirects=False)
        assert response.status_code == 401, (path, response.status_code)
        assert "named_endpoints" not in response.text and "review-table" not in response.text


def test_pages_redirect_to_login_and_a_wrong_password_is_refused(app):
    page = httpx.get(app.staff, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"
    form = httpx.get(app.url + "staff/login")
    assert form.status_code == 200 and 'type="password"' in form.text
    assert "default-src 'none'" in form.headers["content-security-policy"]
    wrong = httpx.post(app.url + "staff/login", data={"password": "guess"})
    assert wrong.status_code == 401 and COOKIE not in wrong.cookies
    wrong_page = httpx.post(app.url + "staff/login", data={"password": "guess"}, headers={"Accept": "text/html"})
    assert wrong_page.status_code == 401 and "Wrong password" in wrong_page.text


def test_gradio_client_is_refused_without_the_password(app):
    with pytest.raises(AuthenticationError):
        Client(app.staff, verbose=False)
    with pytest.raises(AuthenticationError):
        Client(app.staff, auth=("staff", "wrong password"), verbose=False)
    # with the password it connects, and still nothing is callable by name: every staff event is private
    staff = Client(app.staff, auth=("staff", PASSWORD), verbose=False)
    assert staff.view_api(print_info=False, return_format="dict") == {"named_endpoints": {}, "unnamed_endpoints": {}}


def test_logged_in_staff_get_the_console_and_logout_ends_it(app):
    client = login(app)
    cookie = client.cookies.jar
    assert any(c.name == COOKIE and c.path == "/staff" and c.has_nonstandard_attr("HttpOnly") for c in cookie)
    assert client.get("/staff/config").status_code == 200
    assert "review-table" in client.get("/staff/config").text
    assert client.get("/staff/logout").status_code == 303
    assert client.get("/staff/config").status_code == 401


def test_visitor_app_exposes_nothing_of_the_staff(app):
    info = httpx.get(app.url + "gradio_api/info").json()
    assert list(info["named_endpoints"]) == ["/chat"]
    config = httpx.get(app.url + "config").text
    assert "review-table" not in config and "upload-file" not in config
    log_file = app.chatlog.path.resolve()
    for path in (f"gradio_api/file={log_file}", "gradio_api/file=data/chatlog.sqlite3", "staff_password"):
        assert httpx.get(app.url + path).status_code in (403, 404)


def test_password_is_generated_once_with_0600(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    password, where = staff_password(tmp_path)
    assert len(password) >= 20 and Path(where) == tmp_path / "staff_password"
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600
    assert str((tmp_path / "staff_password").resolve()) in capsys.readouterr().out
    assert staff_password(tmp_path) == (password, where)  # kept across restarts
    monkeypatch.setenv(PASSWORD_ENV, "from the environment")
    assert staff_password(tmp_path) == ("from the environment", f"${PASSWORD_ENV}")


# ---------------------------------------------------------------- review


def test_visitor_question_shows_up_in_review_with_its_inspector(app):
    visitor = Client(app.url, verbose=False)
    app.ask("What is NAMAC?", visitor)
    app.ask("When was it reorganized?", visitor)  # a follow-up: rewritten before the search
    rows = app.console.review_rows(search="reorganized")
    assert rows and rows[0]["question"] == "When was it reorganized?"
    turn = app.console.turn(rows[0]["id"])
    assert turn["answered"] and "1992" in turn["answer"] and turn["channel"] == "api"
    assert "namac" in turn["query"].lower()  # the question as searched
    assert turn["history"][0] == {"role": "user", "content": "What is NAMAC?"}
    assert turn["sources"][0]["text"] and "NAMAC" in turn["sources"][0]["section"]

    summary, passages, sentences = inspector(turn)
    assert "NAMAC" in summary and "**Read as asking for:** a date or a time\n" in summary
    assert {"BM25 rank", "MiniLM score", "E5 (multilingual) rank", "fused score"} <= set(passages.columns)
    assert "NAMAC" in passages.iloc[0]["section"] and passages.iloc[0]["fused score"] > 0
    assert "1992" in " ".join(sentences["sentence"])

    table = app.console.review_table(False, False, None, None, "reorganized")
    assert list(table.columns)[-1] == "id" and table.iloc[0]["result"] == "answered"
    short = table.iloc[0]["id"]  # fits its column; opens the whole turn
    assert len(short) == 12 and turn["id"].startswith(short) and app.console.turn(short)["id"] == turn["id"]
    assert app.console.turn("not-an-id") is None and app.console.chatlog.turn_starting("") is None
    assert app.console.mark(turn["id"], "wrong", "should name the year first") == "Marked **wrong**."
    assert app.console.turn(turn["id"])["verdict"] == "wrong"

    app.ask("Good morning!", visitor)
    greeting = app.console.review_table(False, False, None, None, "Good morning")
    assert greeting.iloc[0]["result"] == "small talk (greeting)"
    assert inspector(app.console.turn(greeting.iloc[0]["id"]))[0].startswith("Small talk (greeting)")
    app.ask("tell me more", visitor)
    more = app.console.turn(app.console.review_rows(search="tell me more")[0]["id"])
    assert more["answered"] and "after the previous reply's quote" in inspector(more)[0]


def test_inspector_says_what_kind_of_answer_the_question_was_read_as_asking_for(app):
    visitor = Client(app.url, verbose=False)
    expected = {"How many families are in the network?": "a number; declined when no quote holds one",
                "What is the union's objective?": "an aim (a sentence that states one fits best)",
                "What is NAMAC?": "no particular kind of answer"}
    for question, asked in expected.items():
        app.ask(question, visitor)
        turn = app.console.turn(app.console.review_rows(search=question)[0]["id"])
        assert f"**Read as asking for:** {asked}\n" in inspector(turn)[0]


def test_inspector_says_when_a_question_was_ranked_with_a_language_centered_vector(app):
    visitor = Client(app.url, verbose=False)
    app.ask("Quand NAMAC a-t-elle été réorganisée ?", visitor)
    app.ask("When was NAMAC reorganized?", visitor)
    french = app.console.turn(app.console.review_rows(search="réorganisée")[0]["id"])
    english = app.console.turn(app.console.review_rows(search="When was NAMAC reorganized")[0]["id"])
    assert french["trace"]["centered"] == ["e5"] and english["trace"]["centered"] == []
    assert "language-centered for the passage ranking: e5" in inspector(french)[0]
    assert "language-centered" not in inspector(english)[0]


def test_review_filters_and_csv_export(app, tmp_path):
    visitor = Client(app.url, verbose=False)
    app.ask("=cmd|' /C calc'!A0 what is the weather on Mars?", visitor)
    declined = app.console.review_rows(declined=True)
    assert declined and all(not row["answered"] for row in declined)
    assert any("Mars" in row["question"] for row in declined)
    assert not app.console.review_rows(search="Mars", since="2999-01-01")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert app.console.review_rows(search="Mars", since=today, until=today)
    with pytest.raises(ValueError):
        app.console.review_rows(since="yesterday-ish")
    assert not app.console.review_rows(search="Mars", thumbs_down=True)
    exported = app.console.export(False, False, None, None, "Mars")
    with open(exported, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["answered"] == "no"
    assert rows[0]["question"].startswith("'=cmd")  # a formula stays text in spreadsheets
    app.ask("When was AVSF founded?", visitor)
    with open(app.console.export(False, False, None, None, "When was AVSF founded"), encoding="utf-8-sig") as handle:
        answer = next(csv.DictReader(handle))["answer"]
    assert "1977" in answer and "**" not in answer and "\\>" not in answer  # plain text, as a visitor reads it
    # the download route: staff only
    assert httpx.get(app.url + "staff/export.csv?declined=1").status_code == 401
    download = login(app).get("/staff/export.csv", params={"declined": "1", "search": "Mars"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert len(list(csv.DictReader(download.content.decode("utf-8-sig").splitlines()))) == 1


def test_insight_figures(app):
    per_day, shares, gaps, summary = app.console.insight(30)
    assert per_day["questions"].sum() >= 3 and set(shares["measure"]) == {"declined", "thumbs-down"}
    assert shares["share"].between(0, 100).all() and "questions" in summary
    assert list(shares["day"]) == [day for day in per_day["day"] for _ in range(2)]  # both charts: '2026-12-01'
    assert any("Mars" in question for question in gaps["question"])


# ---------------------------------------------------------------- curated answers


@pytest.mark.parametrize("question, kind", [
    ("When was AVSF founded?", "year"), ("In what year was AVSF founded?", "year"), ("AVSF was founded when?", "year"),
    ("Who founded AVSF?", "who"), ("Who is the president of NAMAC?", "who"),
    ("Which organisations support the union?", "who"), ("How many families are in the network?", "count"),
    ("How much does a scarf cost?", "count"), ("In which regions are the cooperatives located?", "where"),
    ("Quand AVSF a-t-elle été fondée ?", "year"), ("What is NAMAC?", None),
])
def test_curated_answers_match_questions_that_ask_for_the_same_kind_of_answer(question, kind):
    assert answer_kind(question) == kind


CALIBRATION = {  # question -> (paraphrases that must match, different questions that must not)
    "When was AVSF founded?": (["In what year was AVSF founded?", "AVSF was founded when?",
                                "When was AVSF established?"],
                               ["Who founded AVSF?", "When was NAMAC founded?", "What is AVSF?"]),
    "Who supports the Sustainable Cashmere Union?": (
        ["Which organisations support the Sustainable Cashmere Union?", "who is supporting sustainable cashmere union"],
        ["Who founded the Sustainable Cashmere Union?", "What does the Sustainable Cashmere Union do?",
         "How many members does the Sustainable Cashmere Union have?"]),
}


def test_paraphrases_match_and_different_questions_do_not(bot, tmp_path):
    curated = CuratedAnswers(tmp_path, bot.encoders)
    source = {"title": "Our partners", "section": "Our partners", "path": "partners.txt", "text": "A passage."}
    for question in CALIBRATION:
        curated.pin(question, source)
    by_question = {entry.question: entry.id for entry in curated.list()}
    vectors = {e.name: e for e in bot.encoders}
    for question, (same, different) in CALIBRATION.items():
        for text in [question, *same]:
            found = curated.find({n: e.encode_query(text) for n, e in vectors.items()}, text, "en")
            assert found and found.entry.id == by_question[question], (text, found)
        for text in different:
            found = curated.find({n: e.encode_query(text) for n, e in vectors.items()}, text, "en")
            assert found is None or found.entry.id != by_question[question], (text, found.scores)
    curated.close()


def test_pinned_passage_answers_the_question_and_its_paraphrase(app):
    question = "Who supports the Sustainable Cashmere Union?"
    app.ask(question)
    turn = app.console.review_rows(search=question)[0]
    turn = app.console.turn(turn["id"])
    choices = app.console.pin_choices(turn)
    number = next(n for label, n in choices if "variety of stakeholders" in label)
    assert "Pinned passage" in app.console.pin(turn["id"], number, app.console.default_questions(turn))

    for asked in (question, "Which organisations support the Sustainable Cashmere Union?"):
        answer, sources = app.ask(asked)
        assert "Checked by staff" in answer and "variety of stakeholders" in answer, asked
        assert sources[0]["document"] == "partners.txt" and sources[0]["section"] == "Our partners"
    other, _ = app.ask("When was NAMAC reorganized?")
    assert "Checked by staff" not in other and "1992" in other
    entry_id = app.console.curated.list()[0].id
    logged = app.console.review_rows(search="Which organisations support")[0]
    assert logged["trace"] == {"curated": entry_id, "reply_kind": "curated"}
    assert inspector(logged)[0].startswith("Answered from curated")

    # it survives a restart (a new store over the same file) and lists, edits and removes
    reopened = CuratedAnswers(app.console.data_dir, app.console.bot.encoders)
    entry = reopened.list()[0]
    assert entry.kind == "passage" and entry.source_path == "partners.txt" and "variety" in entry.text
    vectors = {e.name: e.encode_query(question) for e in app.console.bot.encoders}
    assert reopened.find(vectors, question, "en").entry.id == entry.id
    reopened.close()
    updated = app.console.curated.update(entry.id, questions=f"{question}\nQui soutient l'Union ?")
    assert updated.questions[1] == "Qui soutient l'Union ?"
    answer, _ = app.ask("Qui soutient l'Union ?")
    assert "Vérifié par l'équipe" in answer or "Checked by staff" in answer
    assert app.console.curated_table().iloc[0]["source in corpus"] == "yes"
    assert app.console.curated.remove(entry.id)
    answer, _ = app.ask(question)
    assert "Checked by staff" not in answer


def test_feedback_reads_as_words_that_need_no_emoji_font():
    assert feedback_text({"rating": "down", "comments": "wrong year"}) == "disliked wrong year"
    assert feedback_text({"rating": "up", "comments": None}) == "liked"


def test_a_paraphrase_staff_add_is_matched_in_a_new_chat_session(app):
    """Staff pin the right passage and add a line in a visitor's words ("herders", which the
    glossary extends with the texts' "breeders"): that line, asked in a new session, gets it."""
    question, added = "Where are the cooperatives located?", "In which provinces do your herders live?"
    app.ask(question)
    turn = app.console.turn(app.console.review_rows(search=question)[0]["id"])
    assert app.console.default_questions(turn) == question  # the visitor's words, no searched form
    number = next(n for n, source in enumerate(turn["sources"]) if "Bayankhongor" in source["text"])
    app.console.pin(turn["id"], number, f"{question}\n{added}")
    try:
        for asked in (question, added):
            answer, _ = app.ask(asked)  # each a new gradio_client session
            assert "Checked by staff" in answer and "Bayankhongor" in answer, asked
    finally:
        for entry in app.console.curated.list():
            app.console.curated.remove(entry.id)


def test_a_follow_up_is_offered_as_asked_and_made_whole(app):
    client = Client(app.url, verbose=False)
    app.ask("What is NAMAC?", client)
    app.ask("when was it reorganized?", client)
    turn = app.console.turn(app.console.review_rows(search="when was it reorganized")[0]["id"])
    offered = app.console.default_questions(turn).split("\n")
    assert offered[0] == "when was it reorganized?" and "NAMAC" in offered[1]
    assert all("breeders" not in line for line in offered)


def test_written_answer_with_its_source(app):
    key = next(key for label, key in app.console.section_choices() if label.endswith("AVSF"))
    message = app.console.write_answer("", "Is AVSF a French organisation?",
                                       "Yes: AVSF is a French NGO, founded in 1977.", key)
    assert message.startswith("Saved curated answer")
    answer, sources = app.ask("Is AVSF a French organisation?")
    assert answer.startswith("Yes: AVSF is a French NGO") and "Checked by staff" in answer
    assert "Source: [Our partners \\> AVSF]" in answer and sources[0]["url"].startswith("https://")
    with pytest.raises(ValueError):
        app.console.write_answer("", "A question?", "An answer.", "")  # no source: refused
    for entry in app.console.curated.list():
        app.console.curated.remove(entry.id)


# ---------------------------------------------------------------- corpus


def corpus_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(64)
REFUSED = [
    ("payload.pdf", ELF, "not a PDF but a Linux executable"),
    ("notes.pdf", b"just some text pretending", "does not start with %PDF"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "could not be read"),
    ("report.md", ELF, "must be text, but this is a Linux executable"),
    ("nul.txt", b"hello\x00world", "NUL bytes"),
    ("latin.md", "Café à la coopérative".encode("latin-1"), "not UTF-8"),
    ("empty.txt", b"", "empty"),
    ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "too large"),
    ("blank.html", b"<html><script>alert(1)</script></html>", "could not be read"),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "not an accepted document"),
    ("setup.exe", b"MZ\x90\x00", "not an accepted document"),
    ("partners.txt", b"A replacement without the replace box ticked.\n", "already in the corpus"),
]


@pytest.mark.parametrize("name, data, reason", REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_uploads_are_refused_and_change_nothing(corpus_app, tmp_path, name, data, reason):
    upload = tmp_path / "upload.bin"
    upload.write_bytes(data)
    before = corpus_state(corpus_app.console.corpus.corpus_dir)
    with pytest.raises(UploadRefused, match=reason):
        corpus_app.console.corpus.add(upload, name)
    assert corpus_state(corpus_app.console.corpus.corpus_dir) == before
    assert corpus_app.console.corpus.status()["state"] == "idle"


def test_file_names_cannot_leave_the_corpus(corpus_app, tmp_path):
    assert safe_name("../../etc/passwd.md") == "passwd.md"
    assert safe_name("..\\..\\windows\\evil name.TXT") == "evil-name.txt"
    assert safe_name("...md") == "document.md"
    upload = tmp_path / "upload.md"
    upload.write_text("# Escape\n\nThis file tried to leave the corpus folder.\n", encoding="utf-8")
    corpus = corpus_app.console.corpus.corpus_dir
    corpus_app.console.corpus.add(upload, "../../escape.md", rebuild=False)
    assert (corpus / "escape.md").is_file() and not (corpus.parent / "escape.md").exists()
    corpus_app.console.corpus.remove("escape.md", rebuild=False)
    with pytest.raises(UploadRefused):
        corpus_app.console.corpus.remove("../index/CURRENT")
    assert not (corpus / "escape.md").exists()


def test_upload_makes_a_new_topic_answerable_while_visitors_keep_getting_answers(corpus_app, tmp_path):
    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "yak" not in answer.lower()  # the corpus does not know yet
    upload = tmp_path / "Yak wool (2024).md"
    upload.write_text(NEW_TOPIC, encoding="utf-8")

    questions = ["When was AVSF founded?", "What is NAMAC?", "How many families are in the network?",
                 "Quand AVSF a-t-elle été fondée ?"]
    results, errors = [], []
    stop = threading.Event()

    def visitor(number: int) -> None:
        client = Client(corpus_app.url, verbose=False)
        while not stop.is_set() or not results:
            question = questions[number % len(questions)]
            try:
                answer, sources = corpus_app.ask(question, client)
                results.append((time.monotonic(), question, answer, sources))
            except Exception as error:  # noqa: BLE001 - every failure counts
                errors.append(repr(error))
            number += 1

    with ThreadPoolExecutor(3) as pool:
        for number in range(3):
            pool.submit(visitor, number)
        time.sleep(0.5)
        started = time.monotonic()
        message = corpus_app.console.corpus.add(upload, upload.name)
        status = corpus_app.console.corpus.wait(120)
        finished = time.monotonic()
        stop.set()
    assert message.startswith("Added **Yak-wool-2024.md**")
    assert errors == []
    during = [r for r in results if started <= r[0] <= finished]
    assert during, "no visitor question was answered during the rebuild"
    assert all(r[2].strip() and r[3] for r in results)  # every one answered, with sources
    print(f"\nrebuild after adding a document: {status['seconds']:.2f} s, +{status['added']} -{status['removed']} "
          f"chunks, {status['encoded']} encoded / {status['reused']} reused; {len(during)} visitor answers "
          f"during it, {len(results)} in all")
    assert status["state"] == "done" and status["added"] >= 1 and status["removed"] == 0
    assert 0 < status["encoded"] < status["reused"]  # only the new chunks were encoded

    with gr.Blocks():  # the Corpus tab's follow-up once the rebuild is over: "being rebuilt" gives way
        tab = CorpusTab(corpus_app.console, gr.Markdown())
        tab.wire(gr.Dataframe())
    assert tab.tick()[tab.notice].startswith("✓ **Index rebuilt**")

    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "18" in answer and "percent" in answer and "yak" in answer.lower()
    name = sources[0]["document"]
    assert name.startswith("Yak-wool") and sources[0]["url"].endswith("/yak-wool/")
    documents = corpus_app.console.documents_table()
    assert documents.set_index("document").loc[name, "status"] == "indexed"

    # removing it stops it being cited
    corpus_app.console.corpus.remove(name)
    status = corpus_app.console.corpus.wait(120)
    assert status["state"] == "done" and status["removed"] >= 1 and status["added"] == 0
    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "18 percent" not in answer
    assert all(source["document"] != name for source in sources)
    assert name not in set(corpus_app.console.documents_table()["document"])


def test_staff_delete_a_visitors_whole_conversation_from_the_review(app):
    visitor, other = Client(app.url, verbose=False), Client(app.url, verbose=False)
    app.ask("Please forget me: when was NAMAC founded?", visitor)
    app.ask("and how many members does it have?", visitor)
    app.ask("Please keep me: what is AVSF?", other)
    opened = app.console.review_rows(search="forget me")[0]
    message = app.console.delete_conversation(opened["id"])
    assert message.startswith("Deleted the conversation: 2 question(s)")
    remaining = [row["question"] for row in app.console.review_rows(search="Please")]
    assert remaining == ["Please keep me: what is AVSF?"]
    assert not app.console.review_rows(search="how many members does it have")
    with pytest.raises(ValueError, match="no longer in the log"):
        app.console.delete_conversation(opened["id"])
