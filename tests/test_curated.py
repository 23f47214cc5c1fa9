"""Curated answers against the real app: staff write or pin an answer, and visitors' questions that
ask the same, in other words or a new session, get it; real models, real index, real SQLite.

Through the `app` fixture's own Assistant, so `curated` never leaks into other tests.
"""
from __future__ import annotations

import pytest
from gradio_client import Client

from assistant.curation.store import CuratedAnswers
from assistant.query.kinds import answer_kind
from assistant.web.turn_view import inspector


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


def test_a_curated_answer_still_matches_its_question_once_staff_teach_one_of_its_words(app):
    """The curated questions are encoded with the vocabulary's words, as a visitor's question is:
    taught "genossenschaft" -> "cooperatives network", the stored question is encoded anew (the old
    vector is 0.964 from the question as now searched, under the 0.965 a match takes)."""
    question = "Wie viele Genossenschaften gibt es?"
    app.ask(question)
    turn = app.console.turn(app.console.review_rows(search=question)[0]["id"])
    number = next(n for n, source in enumerate(turn["sources"]) if "11 cooperatives" in source["text"])
    app.console.pin(turn["id"], number, question)
    try:
        assert "Vom Team geprüft" in app.ask(question)[0]
        assert app.console.teach("de", "Genossenschaft", "cooperatives network").startswith(
            "Taught (de) “genossenschaft” → “cooperatives network”")
        answer, _ = app.ask(question)
        assert "11 cooperatives" in answer and "Vom Team geprüft" in answer
    finally:
        for entry in app.console.curated.list():
            app.console.curated.remove(entry.id)
        app.console.forget("de", "genossenschaft")
