"""Input limits and the per-session rate limit, on the real core and the real app."""
from __future__ import annotations

import re
import sqlite3
import time

import pytest
from gradio_client import Client

from assistant import Reply, rules
from assistant.ops.log_writer import anonymous_session
from assistant.settings import MAX_QUESTION_CHARS
from assistant.text import clean_question
from assistant.types import ReplyKind
from assistant.web.chat_service import RATE_LIMIT, RATE_WINDOW, RateLimit, logged_question, remember

QUESTION = "When was AVSF founded?"
MESSAGES = rules.load("messages")
ASKED_IN = [("Quand AVSF a-t-elle été fondée ?", "fr"), ("AVSF хэзээ байгуулагдсан бэ?", "mn"),
            ("Wann wurde AVSF gegründet?", "de"), ("¿Cuándo se fundó AVSF?", "es")]


def opening(text: str) -> str:
    """A message's words before its first {placeholder}."""
    return text.split("{")[0]


def padded(length: int) -> str:
    """The real question padded with real words to exactly `length` characters."""
    text = QUESTION + " " + " ".join(["please"] * length)
    return text[:length].rstrip() + "?" * (length - len(text[:length].rstrip()))


def test_control_characters_are_removed_and_space_trimmed():
    hostile = "\x00 When\x07 was \u202eAVSF\u202c\u200b founded?\r\n\x1b[31m \x00"
    assert clean_question(hostile) == "When was AVSF founded? [31m"
    assert clean_question(None) == "" and clean_question(["list"]) == ""


def test_questions_up_to_the_limit_are_searched_longer_ones_get_a_clear_message(bot):
    at_limit = padded(MAX_QUESTION_CHARS)
    assert len(at_limit) == MAX_QUESTION_CHARS
    reply = bot.ask(at_limit)
    assert reply.query and "too long" not in reply.text  # searched, not refused
    for length in (MAX_QUESTION_CHARS + 1, 50_000):
        reply = bot.ask(padded(length))
        assert not reply.answered and reply.query == "" and reply.kind == ReplyKind.INPUT_HELP
        assert "query" not in reply.trace  # no search was run
        assert f"too long ({length:,} characters)" in reply.text and f"at most {MAX_QUESTION_CHARS:,}" in reply.text


@pytest.mark.parametrize("question, language", ASKED_IN)
def test_a_too_long_question_is_told_so_in_its_language(bot, question, language):
    pasted = " ".join([question] * (MAX_QUESTION_CHARS // len(question) + 1))
    assert len(pasted) > MAX_QUESTION_CHARS
    reply = bot.ask(pasted)
    assert reply.kind == ReplyKind.INPUT_HELP and reply.language == language
    assert reply.text.startswith(opening(MESSAGES["too_long"][language])) and str(MAX_QUESTION_CHARS) in reply.text


def test_empty_or_punctuation_only_input_gets_the_help_message(bot):
    for text in ("", "   ", "?!...", "\x00\x00", "¿¡ — …", "🐐🐐"):
        reply = bot.ask(text)
        assert not reply.answered and reply.text.startswith("Please type a question"), text
        assert QUESTION in reply.examples


@pytest.mark.parametrize("text, holds_one", [
    ("fgvkbbv bbbkbb", False), ("bbbbfv", False), ("asdf qwer", False),  # keys mashed
    ("dzud", True), ("AVSF?", True),  # the corpus's words
    ("wat hapend in 1967", True), ("123", True), ("the", True), ("reset", True),  # typos, numbers, English
    ("famillies", True), ("namaac", True),  # close to a corpus word
])
def test_a_word_is_the_corpus_s_the_dictionary_s_a_number_or_close_to_one(text, holds_one):
    from assistant.models.lexical import holds_a_word

    assert holds_a_word(text, frozenset({"dzud", "avsf", "families", "namac"})) is holds_one


def test_keys_mashed_get_the_help_message_not_a_quote(bot):
    # the first three were quoted before, "fgvkbbv bbbkbb" as the answer: they pass MiniLM's bar;
    # the last was declined as off-topic
    for text in ("fgvkbbv bbbkbb", "bbbbfv", "bffbbbb bffbfb", "asdf qwer zxcv"):
        reply = bot.ask(text)
        assert reply.kind is ReplyKind.INPUT_HELP and reply.text.startswith("Please type a question"), text
    assert bot.ask("dzud").answered  # one corpus word is enough


def test_follow_up_memory_keeps_only_clean_short_questions(bot):
    too_long = padded(50_000)
    assert remember([], too_long, bot.ask(too_long)) == []  # never dragged into a later search
    remembered = remember([], "When was\x00 AVSF founded?", bot.ask(QUESTION))
    assert remembered[0] == {"role": "user", "content": QUESTION}


def test_huge_questions_are_logged_cut_with_their_length():
    assert logged_question(QUESTION) == QUESTION
    logged = logged_question("x" * 50_000)
    assert len(logged) < 2_100 and logged.endswith("[50,000 characters in all]")
    assert logged_question("a\ud800b") == "a?b"  # a lone surrogate would fail the SQLite write


def test_rate_limit_is_a_sliding_window_per_key():
    limit = RateLimit(limit=3, window=0.5)
    assert [limit.wait_needed("a") for _ in range(3)] == [0, 0, 0]
    assert 0 < limit.wait_needed("a") <= 0.5
    assert limit.wait_needed("b") == 0  # another session is not affected
    time.sleep(0.55)
    assert limit.wait_needed("a") == 0


def test_app_limits_each_session_not_everyone(server, chatlog):
    """About 30 questions a minute per session: the 31st within the minute gets a friendly
    message (and is not logged); another visitor is served normally meanwhile."""
    assert (RATE_LIMIT, RATE_WINDOW) == (30, 60.0)
    fast = Client(server.url, verbose=False)
    for _ in range(RATE_LIMIT):  # empty questions: answered at once, but they count
        answer, _ = fast.predict("", api_name="/chat")
        assert answer.startswith("Please type a question")
    answer, sources = fast.predict(QUESTION, api_name="/chat")
    assert answer.startswith("You are asking faster than I can read") and "30 questions a minute" in answer
    assert sources == []
    other, sources = Client(server.url, verbose=False).predict(QUESTION, api_name="/chat")
    assert "**1977**" in other and sources
    assert chatlog.flush()
    with sqlite3.connect(chatlog.path) as db:
        logged = db.execute("SELECT count(*), sum(question = ?) FROM turns WHERE session = ?",
                            (QUESTION, anonymous_session(fast.session_hash))).fetchone()
    assert logged == (RATE_LIMIT, 0)


def test_a_visitor_over_the_limit_is_told_so_in_the_question_language(server):
    fast = Client(server.url, verbose=False)
    for _ in range(RATE_LIMIT):
        fast.predict("", api_name="/chat")
    for question, language in [*ASKED_IN, (QUESTION, "en"), ("Quando è stata fondata AVSF?", "en")]:
        answer, sources = fast.predict(question, api_name="/chat")
        said = MESSAGES["chat"] if language == "en" else MESSAGES["chat"][language]
        template = re.escape(said["rate_limited"]).replace(r"\{seconds\}", r"\d+")
        assert re.fullmatch(template.replace(r"\{limit\}", str(RATE_LIMIT)), answer), (language, answer)
        assert sources == []


def test_a_rate_limited_reply_is_not_remembered_for_follow_ups():
    slowed = Reply(False, "You are asking faster than I can read")
    assert remember([{"role": "user", "content": QUESTION}], QUESTION, slowed) == [
        {"role": "user", "content": QUESTION}]


def test_a_long_or_endless_history_never_reaches_the_search(bot):
    paste = "NAMAC " + "filler " * 10_000
    history = [{"role": "user", "content": paste}, {"role": "assistant", "content": "..."}]
    assert "filler" not in bot.ask("When was it reorganized?", history=history).query
    endless = [{"role": "user", "content": "Tell me about NAMAC"}, {"role": "assistant", "content": "..."}] * 5000
    reply = bot.ask("When was it reorganized?", history=endless)  # no recursion limit hit
    assert reply.answered and "1992" in reply.text
