"""The staff console against the real app: real models, real index, real SQLite, real HTTP.

The review, the inspector and insight, over the session index (through the `app` fixture's own
Assistant). Curated answers: tests/test_curated.py.
"""
from __future__ import annotations

import csv
import time

import httpx
import numpy as np
import pytest
from gradio_client import Client

from assistant.text import plain_text
from assistant.web.turn_view import feedback_text, inspector
from tests.staff_app import login


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
    assert list(sentences.columns)[:3] == ["#", "chunk", "score"] and list(sentences.columns)[-1] == "sentence"
    numbers = sentences.drop(columns=["#", "chunk", "sentence"]).to_numpy(dtype=float)
    assert (numbers[~np.isnan(numbers)].round(4) == numbers[~np.isnan(numbers)]).all()  # 4 decimals, like each signal

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


def test_inspector_says_when_the_reader_chose_among_sentences_the_ranking_could_not_tell_apart(app):
    visitor = Client(app.url, verbose=False)
    app.ask("Where are the cooperatives located?", visitor)  # NAMAC's members and the regions, close
    app.ask("When was NAMAC reorganized?", visitor)  # the year's sentence leads clearly
    tied = app.console.turn(app.console.review_rows(search="cooperatives located")[0]["id"])
    clear = app.console.turn(app.console.review_rows(search="NAMAC reorganized")[0]["id"])
    summary, _, sentences = inspector(tied)
    assert "**The reader chose the quote** among the" in summary
    assert "Bayankhongor" in sentences.iloc[0]["sentence"] and sentences.iloc[0]["reader"] > sentences.iloc[1]["reader"]
    assert "The reader chose" not in inspector(clear)[0]


def test_inspector_names_the_multilingual_reader_when_it_chose_among_another_languages_ties(app):
    visitor = Client(app.url, verbose=False)
    app.ask("Quel est l'objectif de l'union ?", visitor)  # the aim's sentence and the breeders' commitment, close
    summary, _, sentences = inspector(app.console.turn(app.console.review_rows(search="objectif")[0]["id"]))
    assert "**The multilingual reader chose the quote** among the" in summary
    assert "market the cashmere" in sentences.iloc[0]["sentence"]
    assert sentences.iloc[0]["reader"] > sentences.iloc[1]["reader"] and "evidence" not in sentences.columns


def test_inspector_says_when_the_reader_overruled_the_rankings_first_sentence(app):
    visitor = Client(app.url, verbose=False)
    app.ask("where do AVSF cooperatives operate", visitor)  # "AVSF is a French NGO..." first, refuted by the reader
    summary, _, sentences = inspector(app.console.turn(app.console.review_rows(search="cooperatives operate")[0]["id"]))
    assert "**The reader overruled the ranking:**" in summary
    assert "Bayankhongor" in sentences.iloc[0]["sentence"]


def test_inspector_says_which_evidence_declined_and_which_made_the_quote_sure(app):
    visitor = Client(app.url, verbose=False)
    app.ask("how many members does AVSF have", visitor)  # the texts' closest passage, given as "not sure"
    app.ask("When was NAMAC reorganized?", visitor)
    app.ask("How much does a cashmere sweater cost?", visitor)  # read, and declined
    unsure = app.console.turn(app.console.review_rows(search="members does AVSF")[0]["id"])
    sure = app.console.turn(app.console.review_rows(search="NAMAC reorganized")[0]["id"])
    declined = app.console.turn(app.console.review_rows(search="sweater cost")[0]["id"])
    assert "**The reader's evidence:** best among the sentences read" in inspector(unsure)[0]
    assert inspector(unsure)[0].endswith(": the quote is given as not sure")
    assert inspector(sure)[0].endswith(": the quote is given as the answer")
    assert not declined["answered"] and inspector(declined)[0].endswith(": the question is declined")


def test_inspector_says_what_the_reader_read_under_minilms_bar(app):
    visitor = Client(app.url, verbose=False)
    app.ask("fgvkbbv bbbkbb", visitor)  # no word: nothing searched
    app.ask("Who won the football world cup?", visitor)  # MiniLM finds nothing close: the first is read
    app.ask("What does the word dzud mean?", visitor)  # nor here, but the reader is sure of the first
    app.ask("When was NAMAC reorganized?", visitor)
    unread = app.console.turn(app.console.review_rows(search="fgvkbbv")[0]["id"])
    declined = app.console.turn(app.console.review_rows(search="football world cup")[0]["id"])
    lifted = app.console.turn(app.console.review_rows(search="word dzud")[0]["id"])
    read = app.console.turn(app.console.review_rows(search="NAMAC reorganized")[0]["id"])
    assert not unread["answered"] and "no word of any dictionary" in inspector(unread)[0]
    assert inspector(unread)[2].empty
    assert not declined["answered"] and "**Under MiniLM's bar:**" in inspector(declined)[0]
    read_first = inspector(declined)[2]["reader"].notna()
    assert read_first.iloc[0] and read_first.sum() == 1  # the first sentence alone
    assert lifted["answered"] and "**MiniLM's bar lifted:**" in inspector(lifted)[0]
    assert "MiniLM's bar" not in inspector(read)[0] and "reader" in inspector(read)[2].columns


def test_review_filters_and_csv_export(app, tmp_path):
    visitor = Client(app.url, verbose=False)
    app.ask("=cmd|' /C calc'!A0 what is the weather on Mars?", visitor)
    app.ask("how many members does AVSF have", visitor)  # the texts' closest passage, quoted as "not sure"
    app.ask("When was AVSF founded?", visitor)
    declined = app.console.review_rows(declined=True)
    assert declined and all(not row["answered"] or row["trace"]["reply_kind"] == "unsure" for row in declined)
    assert any("Mars" in row["question"] for row in declined)
    assert any("members does AVSF" in row["question"] and row["answered"] for row in declined)
    assert not any("AVSF founded" in row["question"] for row in declined)
    assert "not sure" in app.console.review_table(True, False, None, None, "members does AVSF")["result"].tolist()
    assert not app.console.review_rows(search="Mars", since="2999-01-01")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert app.console.review_rows(search="Mars", since=today, until=today)
    with pytest.raises(ValueError):
        app.console.review_rows(since="yesterday-ish")
    assert not app.console.review_rows(search="Mars", thumbs_down=True)
    exported, again = (app.console.export(False, False, None, None, "Mars") for _ in range(2))
    assert exported != again and again.read_bytes() == exported.read_bytes()  # one file per export
    with open(exported, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for path in (exported, again):
        path.unlink()
    assert len(rows) == 1 and rows[0]["answered"] == "no"
    assert rows[0]["question"].startswith("'=cmd")  # a formula stays text in spreadsheets
    app.ask("When was AVSF founded?", visitor)
    exported = app.console.export(False, False, None, None, "When was AVSF founded")
    with open(exported, encoding="utf-8-sig") as handle:
        answer = next(csv.DictReader(handle))["answer"]
    exported.unlink()
    assert "1977" in answer and "**" not in answer and "\\>" not in answer  # plain text, as a visitor reads it
    # the download route: staff only
    assert httpx.get(app.url + "staff/export.csv?declined=1").status_code == 401
    download = login(app).get("/staff/export.csv", params={"declined": "1", "search": "Mars"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert len(list(csv.DictReader(download.content.decode("utf-8-sig").splitlines()))) == 1


def test_insight_figures(app):
    per_day, shares, gaps, summary = app.console.insight(30)
    assert per_day["questions"].sum() >= 3 and set(shares["measure"]) == {"declined", "not sure", "thumbs-down"}
    assert shares["share"].between(0, 100).all() and "questions" in summary and "quoted as not sure" in summary
    assert list(shares["day"]) == [day for day in per_day["day"] for _ in range(3)]  # both charts: '2026-12-01'
    assert any("Mars" in question for question in gaps["question"])
    assert shares[shares["measure"] == "not sure"]["share"].sum() > 0  # "how many members does AVSF have"


def test_feedback_reads_as_words_that_need_no_emoji_font():
    assert feedback_text({"rating": "down", "comments": "wrong year"}) == "disliked wrong year"
    assert feedback_text({"rating": "up", "comments": None}) == "liked"


def test_staff_delete_a_visitors_whole_conversation_from_the_review(app):
    visitor, other = Client(app.url, verbose=False), Client(app.url, verbose=False)
    app.ask("Please forget me: when was NAMAC founded?", visitor)
    app.ask("and how many members does it have?", visitor)
    app.ask("Please keep me: what is AVSF?", other)
    opened = app.console.review_rows(search="forget me")[0]
    message = app.console.delete_conversation(opened["id"])
    assert message.startswith("Deleted the conversation: 2 question(s)")
    remaining = [row["question"] for row in app.console.review_rows(search="Please")
                 if row["question"].startswith("Please")]  # the help message says "Please" too
    assert remaining == ["Please keep me: what is AVSF?"]
    assert not app.console.review_rows(search="how many members does it have")
    with pytest.raises(ValueError, match="no longer in the log"):
        app.console.delete_conversation(opened["id"])


@pytest.mark.parametrize("message, shown", [
    ({"role": "user", "content": "is my_code **ok**?"}, "is my_code **ok**?"),  # the visitor's text, as typed
    ({"role": "assistant", "content": "_I'm not sure._\n\n“a network of **670 families**”"},
     "I'm not sure. “a network of 670 families”"),  # a reply, without its marks
])
def test_the_conversation_shown_to_staff_keeps_what_the_visitor_typed(message, shown):
    from assistant.web.turn_view import _said

    assert plain_text(_said(message)) == shown  # _said escapes it: shown as text, not as Markdown


def test_inspector_shows_the_multilingual_readers_logit_for_a_french_quote_and_its_threshold(app):
    visitor = Client(app.url, verbose=False)
    app.ask("Où puis-je acheter une écharpe en cachemire ?", visitor)  # no text sells scarves: not sure
    summary, _, _ = inspector(app.console.turn(app.console.review_rows(search="écharpe")[0]["id"]))
    assert "**The multilingual reader's logit** for the quoted sentence" in summary
    assert "the quote is given as not sure" in summary
