"""The chat's API, driven by gradio_client against the real app (real Assistant, real index, real log)."""
from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client

from assistant.ops.chatlog import ChatLog
from assistant.web.chat import DEFAULT_CONCURRENCY
from assistant.web.chat_service import ChatService


def client(server) -> Client:
    return Client(server.url, verbose=False)


def rows(chatlog: ChatLog, sql: str, *params) -> list[tuple]:
    assert chatlog.flush(), "the chat log did not catch up"
    with sqlite3.connect(chatlog.path) as db:
        return db.execute(sql, params).fetchall()


def test_answer_is_quoted_cited_and_sourced(server):
    answer, sources = client(server).predict("When was AVSF founded?", api_name="/chat")
    assert "**1977**" in answer
    assert "Source: [Our partners \\> AVSF](http" in answer
    assert sources and "AVSF" in sources[0]["section"]
    assert sources[0]["url"].startswith("https://")
    assert sources[0]["document"] == "partners.txt"
    assert all(0 <= s["score"] <= 1 for s in sources)


def test_follow_up_uses_this_clients_conversation_only(server):
    """Two clients, two conversations: the same follow-up resolves to each one's own topic."""
    namac, avsf = client(server), client(server)
    namac.predict("What is NAMAC?", api_name="/chat")
    avsf.predict("What is AVSF?", api_name="/chat")
    answer, sources = namac.predict("When was it reorganized?", api_name="/chat")
    assert "**1992**" in answer and "NAMAC" in sources[0]["section"]
    answer, sources = avsf.predict("When was it founded?", api_name="/chat")
    assert "**1977**" in answer and "AVSF" in sources[0]["section"]


def test_small_talk_is_answered_but_never_taken_for_the_topic_of_a_follow_up(server):
    visitor = client(server)
    answer, sources = visitor.predict("Hello!", api_name="/chat")
    assert answer.startswith("Hello! I answer questions") and sources == []
    answer, _ = visitor.predict("When was it founded?", api_name="/chat")  # still a first question
    assert answer.startswith("Who or what do you mean?")
    visitor.predict("What is NAMAC?", api_name="/chat")
    answer, sources = visitor.predict("Thanks a lot!", api_name="/chat")
    assert answer.startswith("You're welcome!") and sources == []
    answer, sources = visitor.predict("When was it reorganized?", api_name="/chat")
    assert "**1992**" in answer and "NAMAC" in sources[0]["section"]


def test_tell_me_more_continues_the_previous_quote_with_its_citation(server):
    visitor = client(server)
    visitor.predict("When was NAMAC reorganized?", api_name="/chat")
    answer, sources = visitor.predict("Tell me more", api_name="/chat")
    assert "The Supreme Council of Agricultural Cooperatives" in answer and "1992" not in answer
    assert "Source: [Our partners \\> NAMAC]" in answer and sources[0]["section"] == "Our partners > NAMAC"


def test_french_question_gets_the_quote_and_a_french_note(server):
    answer, sources = client(server).predict("Quand AVSF a-t-elle été fondée ?", api_name="/chat")
    assert "**1977**" in answer and "La source est en anglais" in answer
    assert "AVSF" in sources[0]["section"]


def test_mongolian_question_about_namac(server):
    answer, sources = client(server).predict("NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?", api_name="/chat")
    assert "**1992**" in answer and "NAMAC" in sources[0]["section"]


def test_off_topic_question_is_declined_with_examples(server):
    answer, sources = client(server).predict("What will the weather be in Paris tomorrow?", api_name="/chat")
    assert "I don't know" in answer and "When was AVSF founded?" in answer
    assert "Source:" not in answer and sources == []


@pytest.mark.parametrize("question", ["", "   ", "x " * 3000, "<script>alert(1)</script>"])
def test_odd_input_gets_a_message_not_an_error(server, question):
    answer, sources = client(server).predict(question, api_name="/chat")
    assert answer.strip() and sources == []


def test_every_turn_is_logged_with_language_sources_and_latency(server, chatlog):
    asker = client(server)
    asker.predict("Quand AVSF a-t-elle été fondée ?", api_name="/chat")
    asker.predict("How many families are in the network?", api_name="/chat")
    logged = rows(chatlog, "SELECT session, channel, question, answered, language, sources, latency_ms "
                           "FROM turns WHERE question IN (?, ?) ORDER BY created_at DESC LIMIT 2",
                  "Quand AVSF a-t-elle été fondée ?", "How many families are in the network?")
    assert len(logged) == 2
    (session_b, channel, _, answered, language, sources, latency), (session_a, *_, language_a, _, _) = logged
    assert session_a == session_b and len(session_a) == 16  # one anonymous id per client
    assert channel == "api" and answered == 1 and latency > 0
    assert {language, language_a} == {"en", "fr"}
    assert {"chunk_id", "score", "section", "path"} <= set(json.loads(sources)[0])


def test_a_broken_log_never_breaks_the_chat(bot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    broken = ChatLog(blocker)
    reply, turn_id = ChatService(bot, broken).ask("When was AVSF founded?", [], "session", "api")
    assert reply.answered and turn_id == ""  # answered; no turn id, since nothing was saved to rate
    assert broken.flush() and not broken.path.exists()
    broken.close()


def test_concurrent_clients_are_served_in_parallel(server):
    demo = server.server.config.app.state.demo
    chat_fn = next(fn for fn in demo.fns.values() if fn.api_name == "chat")
    assert chat_fn.concurrency_limit == DEFAULT_CONCURRENCY > 1
    questions = ["When was AVSF founded?", "What is NAMAC?", "How many families are in the network?",
                 "Where are the cooperatives located?"] * 2
    clients = [client(server) for _ in questions]
    started = time.perf_counter()
    with ThreadPoolExecutor(len(questions)) as pool:
        answers = list(pool.map(lambda c, q: c.predict(q, api_name="/chat"), clients, questions))
    elapsed = time.perf_counter() - started
    print(f"\n{len(questions)} concurrent questions answered in {elapsed:.2f} s")
    assert all(sources for _, sources in answers)


def test_settings_monitoring_off_analytics_off_widget_served(server):
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "monitoring")
    assert refused.value.code == 403
    config = json.load(urllib.request.urlopen(server.url + "config"))
    assert config["analytics_enabled"] is False
    for page in ("widget/demo.html", "widget/ask-us.js", "widget/snippet.html"):
        assert urllib.request.urlopen(server.url + page).status == 200


def test_widget_texts_are_served_from_the_messages_to_any_site_and_revalidated(server):
    with urllib.request.urlopen(server.url + "widget/texts.json") as response:
        texts, headers = json.loads(response.read()), response.headers
    assert texts["fr"]["widget_button"] == "Une question ?" and texts["en"]["widget_close"] == "Close"
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-cache" and headers["ETag"]
    again = urllib.request.Request(server.url + "widget/texts.json", headers={"If-None-Match": headers["ETag"]})
    with pytest.raises(urllib.error.HTTPError) as unchanged:  # urllib reports a 304 as an error
        urllib.request.urlopen(again)
    assert unchanged.value.code == 304
    script = urllib.request.urlopen(server.url + "widget/ask-us.js")  # the static files as before
    assert script.status == 200 and script.headers["ETag"] and "javascript" in script.headers["Content-Type"]


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_says_the_app_answers_with_its_index_version_models_and_log_but_no_data(server, bot):
    status, report = get_json(server.url + "healthz")
    assert status == 200 and report["status"] == "ok" and report["answering"] and report["log_writable"]
    assert report["index_version"] == bot.index.folder.name and report["chunks"] == len(bot.index.chunks)
    assert report["models"] == ["e5", "minilm", "multilingual reader", "reader"]
    text = json.dumps(report)
    assert "/" not in text and "AVSF" not in text  # no paths, no corpus text


def test_healthz_answers_503_when_there_is_nothing_to_answer_from(encoders, tmp_path):
    from assistant import Assistant
    from tests.conftest import serve_chat

    (tmp_path / "corpus").mkdir()
    empty = Assistant.open(tmp_path / "corpus", tmp_path / "index", encoders=encoders)
    chatlog = ChatLog(tmp_path / "data")
    running = serve_chat(empty, chatlog)
    try:
        status, report = get_json(running.url + "healthz")
    finally:
        running.stop()
        chatlog.close()
    assert status == 503 and report["status"] == "unavailable" and not report["answering"]
