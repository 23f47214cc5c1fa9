"""Which sentence is quoted: the ranking's choices on the partner text, its spelling correction,
its answer fit, and the example questions shown to visitors (what in it is bold: test_bold_answer.py)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.answer.quote import quoted_part
from assistant.settings import MAX_ANSWER_WORDS
from assistant.text import plain_text
from assistant.types import ReplyKind
from tests.conftest import ROOT


@pytest.mark.parametrize("question, expected", [
    ("Which body came before NAMAC?", "Supreme Council of Agricultural Cooperatives"),  # "came" is no typo of "care"
    ("how many cooperativs in 2022", "11 cooperatives"),  # the count is matched to the corrected word
])
def test_spelling_is_fixed_only_where_needed_and_before_the_answer_is_chosen(bot, question, expected):
    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)
    assert "care" not in reply.query.split()


def test_spelling_correction_is_the_same_in_every_process_and_prefers_common_words():
    # many corpus words are equally close to "abux": the choice must not follow the set's hash order
    code = ("from assistant.models.lexical import correct_spelling as fix; "
            "print(fix('abux abut', frozenset({'abua', 'abub', 'abuc', 'abud', 'abue', 'abu', 'abul'})))")
    outputs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
               for seed in range(5)}
    assert outputs == {"abu about"}  # ties broken alike; a misspelt stopword is not turned into a name


def test_two_adjacent_sentences_that_score_alike_are_quoted_together_in_text_order(bot):
    from assistant.answer.quote import quote
    from assistant.settings import TIE_MARGIN
    from assistant.types import Candidate

    chunk = next(c for c in bot.index.chunks if len(c.sentences) >= 3
                 and not any(s.leans_on for s in c.sentences[:3]))
    first, second, third = (Candidate(chunk, i, -1) for i in range(3))
    first.score, second.score, third.score = 1.0, 1.0 - TIE_MARGIN / 2, 0.1
    texts = [s.text for s in chunk.sentences]
    assert quote(bot.index, [second, first, third]) == texts[:2]
    second.score = 1.0 - 2 * TIE_MARGIN
    assert quote(bot.index, [first, second, third]) == texts[:1]
    third.score = 0.99
    assert quote(bot.index, [first, third, second]) == texts[:1]  # not neighbours


@pytest.mark.parametrize("question, expected, tied_with", [
    # the issue's own browser miss: NAMAC's members "throughout Mongolia" ranked first, the regions third
    ("Where are the cooperatives located?", "Bayankhongor", "38,000 households"),
    ("How many cooperatives did the herders form at the start?", "5 in number", "11 cooperatives"),
])
def test_the_reader_chooses_between_sentences_the_ranking_cannot_tell_apart(bot, question, expected, tied_with):
    from assistant.answer.candidates import search_english
    from assistant.answer.reading import choose_among_ties
    from assistant.settings import TIE_MARGIN

    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)
    _, ranked = search_english(bot.index, bot.retriever, reply.query)  # as searched: with "breeders" for "herders"
    text = [c.chunk.sentences[c.sentence].text for c in ranked]
    ties = [t for c, t in zip(ranked, text) if ranked[0].score - c.score <= TIE_MARGIN]
    assert any(expected in t for t in ties) and any(tied_with in t for t in ties)
    assert expected not in text[0]  # the ranking alone quotes the wrong one
    chosen, tied = choose_among_ties(bot.reader, reply.query, ranked)
    assert tied == len(ties) and reply.trace["reader_chose_among"] == tied
    assert expected in chosen[0].chunk.sentences[chosen[0].sentence].text
    assert sorted(map(id, chosen)) == sorted(map(id, ranked))  # re-ordered, nothing lost


def test_the_reader_overrules_a_first_sentence_it_refutes_when_another_is_sure(bot):
    from assistant.answer.candidates import search_english
    from assistant.answer.reading import read

    reply = bot.ask("where do AVSF cooperatives operate")  # a batch's follow-up, as rewritten
    assert reply.kind is ReplyKind.ANSWER and "Bayankhongor" in plain_text(reply.text)
    assert reply.trace["reader_overruled"]
    _, ranked = search_english(bot.index, bot.retriever, reply.query)
    assert "Bayankhongor" not in ranked[0].chunk.sentences[ranked[0].sentence].text  # the ranking alone
    read(bot.reader, reply.query, ranked, limit=1)  # read alone, as the pipeline reads it first
    assert ranked[0].signals["evidence"] < bot.reader.threshold  # refuted: under the decline level


@pytest.mark.parametrize("question", [
    # a first sentence merely "not sure" stays first, said so
    "how many women are among NAMAC's 100,000 individual members",
    "When was NAMAC reorganized?",  # a sure one too
])
def test_the_reader_does_not_overrule_a_first_sentence_it_does_not_refute(bot, question):
    reply = bot.ask(question)
    assert reply.answered and not reply.trace["reader_overruled"]
    assert reply.trace["evidence"]["reader_quote"] >= bot.reader.threshold


def test_a_clear_lead_is_not_second_guessed_by_the_reader(bot):
    from assistant.answer.candidates import search_english
    from assistant.answer.reading import choose_among_ties
    from assistant.settings import TIE_MARGIN

    _, ranked = search_english(bot.index, bot.retriever, "What is the objective of the union?")
    assert ranked[0].score - ranked[1].score > TIE_MARGIN  # the stated aim leads by its answer fit
    assert choose_among_ties(bot.reader, "What is the objective of the union?", ranked) == (ranked, 0)
    assert "reader" not in ranked[0].signals  # nothing was read


def test_other_languages_rank_passages_by_e5_nudged_by_bm25_scores(bot):
    from assistant.settings import OTHER_LANGUAGE_LEXICAL_BOOST as boost
    from assistant.settings import OTHER_LANGUAGE_MODELS as models
    from assistant.settings import OTHER_LANGUAGE_RETRIEVERS as weights

    question = "¿Cuándo se reorganizó NAMAC?"
    plain = {h.chunk.id: h for h in bot.retriever.search(question, top_k=10, weights=weights, models=models).hits}
    nudged = bot.retriever.search(question, top_k=10, weights=weights, lexical_boost=boost, models=models).hits
    top_bm25 = max(h.scores.get("bm25", 0.0) for h in nudged)
    for hit in nudged:
        if "e5" in hit.scores and hit.chunk.id in plain:
            expected = plain[hit.chunk.id].scores["e5"] + boost * hit.scores.get("bm25", 0.0) / top_bm25
            assert hit.scores["e5"] == pytest.approx(expected, abs=1e-5)
    assert nudged[0].chunk.section == "Our partners > NAMAC"
    by_e5 = sorted(nudged, key=lambda h: -h.scores.get("e5", -9.0))  # BM25's own ranks no longer count
    assert [h.chunk.id for h in nudged] == [h.chunk.id for h in by_e5]


def test_a_count_question_whose_best_sentence_holds_no_count_is_declined(bot):
    from assistant.answer.decision import fitting_quote
    from assistant.types import Candidate

    sentences = [(c, i) for c in bot.index.chunks for i, s in enumerate(c.sentences)]
    no_count = next((c, i) for c, i in sentences if c.sentences[i].text.startswith("The objective is"))
    count = next((c, i) for c, i in sentences if "670 families" in c.sentences[i].text)
    candidates = [Candidate(*no_count, -1, 2.0), Candidate(*count, -1, 1.0)]
    assert fitting_quote(bot.index, candidates, "How many families are there?") is None  # not the next one's
    assert any("670 families" in s for s in fitting_quote(bot.index, candidates[::-1], "How many families are there?"))
    assert fitting_quote(bot.index, candidates, "What is the objective?") == [candidates[0].chunk.sentences[
        candidates[0].sentence].text]  # a question of no strict kind takes the best as it is
    assert fitting_quote(bot.index, [], "How many families are there?") is None


def test_the_next_sentence_is_quoted_when_it_names_the_place_the_best_one_lacks(bot):
    # "... extends throughout Mongolia." names only the place the question already says
    reply = bot.ask("Where in Mongolia are your herders based?")
    assert reply.answered and "Bayankhongor" in plain_text(reply.text)


def test_what_kind_of_questions_prefer_a_sentence_that_qualifies_the_asked_thing():
    from assistant.answer.ranking import answer_fit

    question = "What kind of support do the union's partners provide?"
    kinds = "Whether through technical, logistical or financial support, everyone contributes."
    restated = "Sustainable Cashmere Union is supported by a variety of stakeholders: our partners."
    assert answer_fit(kinds, question) == 3 and answer_fit(restated, question) == 0  # qualified (2), listed (1)
    assert answer_fit(kinds, "Who provides support to the union?") == 0  # not a "what kind" question
    helping = "Its missions revolve around helping pastoral communities."
    assert answer_fit(helping, "What kind of help do your partners give?") == 0  # the word, not its stem


@pytest.mark.parametrize("question", ["What kind of help do your partners give?",
                                      "What kind of support do the union's partners provide?"])
def test_what_kind_of_help_the_partners_give_quotes_the_kinds_of_support(bot, question):
    # "help" matched AVSF's "revolve around helping" by its stem, and that sentence was quoted, sure
    reply = bot.ask(question)
    assert reply.answered and "technical, logistical or financial support" in plain_text(reply.text)


@pytest.mark.parametrize("question", [
    "What is the union's objective?", "What is the mission of the Sustainable Cashmere Union?",
    "What does the union want to achieve?", "Quel est l'objectif de la Sustainable Cashmere Union ?",
    "Quel est l'objectif de l'union ?", "Was ist das Ziel der Union?", "¿Cuál es el objetivo de la unión?",
    "Холбооны зорилго юу вэ?"])
def test_a_question_about_the_aim_quotes_the_sentence_that_states_it(bot, question):
    # the sentences that name the union (or "the network") outscored the one stating the aim
    reply = bot.ask(question)
    assert reply.answered and "The objective is to market the cashmere" in plain_text(reply.text)


@pytest.mark.parametrize("question", ["why did the herders form cooperatives", "Why did the breeders group together?"])
def test_a_why_question_quotes_the_reason_not_a_sentence_with_a_purpose_word(bot, question):
    # the "why" kind's pattern ("objective", "in return", ...) drew these to the aim sentence: deleted
    reply = bot.ask(question)
    assert reply.answered and "In order to enhance the value of this golden fleece" in plain_text(reply.text)


def test_a_stated_aim_fits_an_aim_question_whatever_its_word():
    from assistant.answer.ranking import answer_fit

    stated = "The objective is to market the cashmere of their members at a better price."
    mission = "Its missions, internationally, revolve around helping pastoral communities."
    named = "Our close collaboration is based on institutions who adhere to the values of the union."
    for question in ("What is the goal of the union?", "What are your aims?", "What is the union trying to do?"):
        assert answer_fit(stated, question) == 2 and answer_fit(mission, question) == 2
        assert answer_fit(named, question) == 0
    assert answer_fit(stated, "What is the union?") == 0  # not a question about an aim


def test_a_pronoun_after_an_opening_phrase_is_quoted_with_what_it_names(bot):
    # "In 2014, it created ..." leans on "Its missions ...", which leans on "AVSF is ...": the three
    # are quoted, so the reply names who "it" is
    reply = bot.ask("Who helped set up the first sustainable cashmere industry?")
    text = plain_text(reply.text)
    assert reply.answered and text.index("AVSF") < text.index("Its missions") < text.index("In 2014, it created")
    assert len(quoted_part(text).split()) <= MAX_ANSWER_WORDS


def test_a_quoted_fragment_comes_with_the_sentence_it_describes(bot):
    text = quoted_part(plain_text(bot.ask("is the cashmere industry respectful of animals").text))
    assert text.index("first sustainable cashmere industry") < text.index("Respectful of man, animal")


@pytest.mark.parametrize("question", ["What kinds of organisations support the union?",
                                      "Who are the stakeholders supporting the union?"])
def test_questions_for_kinds_or_for_who_they_are_prefer_a_sentence_that_lists_them(bot, question):
    from assistant.answer.ranking import answer_fit

    listed = "Our close collaboration is based on institutions, NGOs, processors, manufacturers, customers."
    announced = "Sustainable Cashmere Union is supported by a variety of stakeholders: our partners."
    adverbs = "Its missions, internationally, revolve around helping pastoral communities."  # not a list
    assert answer_fit(listed, question) == 1 and answer_fit(announced, question) == 0
    assert answer_fit(adverbs, question) == 0 and answer_fit(listed, "Who supports the union?") == 0
    reply = bot.ask(question)
    assert reply.answered and "institutions, NGOs" in plain_text(reply.text)


@pytest.mark.parametrize("question", [
    "What is another term for rotors?", "What is the bad air theory officially known as?",
    "What was NAMAC's forerunner called?", "Comment la NAMAC est-elle aussi appelée ?"])
def test_a_question_for_another_name_prefers_a_sentence_that_gives_one(question):
    from assistant.answer.ranking import answer_fit
    from assistant.query.kinds import question_kind

    assert question_kind(question) == "alias"
    assert answer_fit("Rotors (rotating discs) spin fast.", question) == 1
    assert answer_fit("It was later officially called Miasma theory.", question) == 1
    assert answer_fit("Rotors spin fast and stators stay still.", question) == 0


def test_a_counted_answer_that_names_the_asked_thing_fits_better_in_any_language(bot):
    from assistant.answer.ranking import answer_fit

    network = "It now forms a network of 670 families through 11 cooperatives located in three regions."
    members = "NAMAC's member cooperatives include more than 100,000 individual members."
    for question in ("How many cooperatives are in the network?", "¿Cuántas cooperativas hay en la red?",
                     "Combien de coopératives compte le réseau ?"):
        assert answer_fit(network, question) == 2 and answer_fit(members, question) == 1
    reply = bot.ask("¿Cuántas cooperativas hay en la red?")
    assert reply.answered and "11 cooperatives" in plain_text(reply.text)


def test_english_questions_consult_e5_only_when_minilm_and_bm25_leave_doubt(bot):
    from assistant.settings import SETTLED_LEAD

    settled = bot.ask("How many families are in the network?")
    assert settled.trace["models"] == ["minilm"] and "670" in settled.text
    best, runner_up = settled.trace["sentences"][:2]
    assert best["score"] - runner_up["score"] >= SETTLED_LEAD
    doubtful = bot.ask("When was AVSF founded?")
    assert doubtful.trace["models"] == ["e5", "minilm"] and "1977" in doubtful.text
    full = bot.retriever.search(doubtful.query)  # the second pass is the search with every model
    assert [p["chunk_id"] for p in doubtful.trace["passages"]] == [hit.chunk.id for hit in full.hits]
    off_topic = bot.ask("what's the weather like in Ulaanbaatar today")
    assert not off_topic.answered and off_topic.trace["models"] == ["minilm"]  # MiniLM alone decides declines
    assert bot.ask("Quand AVSF a-t-elle été fondée ?").trace["models"] == ["e5"]  # MiniLM is English-only



# The fact each example question shown to visitors (welcome, declines) must be answered with, as the
# answer: a visitor's first click should not meet a "not sure" (the English network counts are, issue 16).
EXAMPLE_FACTS = {
    "When was AVSF founded?": "1977", "Quand AVSF a-t-elle été fondée ?": "1977",
    "AVSF хэзээ байгуулагдсан бэ?": "1977", "Wann wurde AVSF gegründet?": "1977", "¿Cuándo se fundó AVSF?": "1977",
    "What is the union's objective?": "better price", "Combien de familles compte le réseau ?": "670",
    "Сүлжээнд хэдэн өрх байдаг вэ?": "670", "Wie viele Familien gehören zum Netzwerk?": "670",
    "¿Cuántas familias forman la red?": "670",
    "What is NAMAC?": "non-governmental", "Qu'est-ce que NAMAC ?": "non-governmental",
    "NAMAC гэж юу вэ?": "non-governmental", "Was ist NAMAC?": "non-governmental", "¿Qué es NAMAC?": "non-governmental",
    "Where are the cooperatives located?": "Bayankhongor", "NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?": "1992",
}


def test_every_example_shown_to_visitors_is_answered_with_its_fact(bot):
    from assistant.answer.messages import EXAMPLES

    shown = {example for examples in EXAMPLES.values() for example in examples}
    assert shown == set(EXAMPLE_FACTS)  # a new example comes with the fact it must be answered with
    for example, fact in EXAMPLE_FACTS.items():
        reply = bot.ask(example)
        assert reply.kind is ReplyKind.ANSWER and fact in reply.text.replace("**", ""), (example, reply.text)
