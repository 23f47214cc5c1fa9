"""Language detection, and centering questions in other languages for the multilingual model."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.query.language import detect_language
from assistant.retrieval.centering import REFERENCE_QUESTIONS, LanguageCentering
from assistant.text import plain_text

PASSAGES = ["AVSF is a French NGO founded in 1977.",
            "It now forms a network of 670 families through 11 cooperatives."]
# per language: a question answered by the first passage, then one answered by the second
QUESTIONS = {
    "zh": ("AVSF是哪一年成立的？", "网络里有多少个家庭？"),
    "ru": ("Когда была основана AVSF?", "Сколько семей в сети?"),
    "mn": ("AVSF хэзээ байгуулагдсан бэ?", "Сүлжээнд хэдэн гэр бүл байдаг вэ?"),
    "de": ("Wann wurde AVSF gegründet?", "Wie viele Familien gehören zum Netzwerk?"),
    "fr": ("Quand AVSF a-t-elle été fondée ?", "Combien de familles compte le réseau ?"),
    "es": ("¿Cuándo se fundó AVSF?", "¿Cuántas familias forman la red?"),
}


@pytest.mark.parametrize("text, language", [
    ("When was AVSF founded?", "en"), ("Quand AVSF a-t-elle été fondée ?", "fr"),
    ("Wann wurde AVSF gegründet?", "de"), ("¿Cuándo se fundó AVSF?", "es"),
    ("AVSF хэзээ байгуулагдсан бэ?", "mn"), ("Когда была основана AVSF?", "ru"),
    ("AVSF是哪一年成立的？", "zh"), ("AVSFはいつ設立されましたか？", "other"), ("متى تأسست AVSF؟", "other"),
    ("Was bedeutet dzud?", "de"),  # "was" is English too
    ("In welchen Regionen liegen die Kooperativen?", "de"),  # "in" is English too
    # a chat's shortest turns read as English (lingua, measured in bench/language_detection.py, made "dzud?" German)
    ("NAMAC?", "en"), ("hi", "en"), ("AVSF", "en"), ("670", "en"), ("dzud?", "en"), ("and NAMAC?", "en"),
    # the union's English name inside another language's question (lingua read both as English)
    ("Quel est l'objectif de la Sustainable Cashmere Union ?", "fr"),
    ("Was ist das Ziel der Sustainable Cashmere Union?", "de"), ("¿Qué es AVSF?", "es"),
    ("AVSF гэж юу вэ?", "mn"), ("안녕하세요 AVSF", "other"),
    # not answered in, but named, so that they take the multilingual search (issue 19)
    ("Quando è stata fondata AVSF?", "it"), ("Dove posso comprare una sciarpa di cashmere?", "it"),
    ("Quantas famílias fazem parte da rede?", "pt"), ("Onde ficam as cooperativas?", "pt"),
])
def test_the_language_is_read_from_script_and_stopwords(text, language):
    assert detect_language(text) == language


@pytest.fixture(scope="module")
def e5(encoders):
    return next(encoder for encoder in encoders if encoder.name == "e5")


@pytest.mark.parametrize("language", sorted(QUESTIONS))
def test_centering_takes_the_language_out_and_widens_the_answers_lead(e5, language):
    centering = LanguageCentering()
    passages = e5.encode_passages(PASSAGES)
    raw = [e5.encode_query(question) for question in QUESTIONS[language]]
    centered = [centering.center(e5, vector, language) for vector in raw]
    assert all(abs(np.linalg.norm(vector) - 1.0) < 1e-4 for vector in centered)
    # two unrelated questions in one language share less once their language is taken out
    assert centered[0] @ centered[1] < raw[0] @ raw[1] - 0.1
    for answering, (before, after) in enumerate(zip(raw, centered)):
        other = 1 - answering
        assert (after @ passages[answering] - after @ passages[other]
                > before @ passages[answering] - before @ passages[other])


def test_references_prepared_at_once_center_as_on_first_use(e5):
    prepared, lazy = LanguageCentering(), LanguageCentering()
    prepared.prepare([e5])
    vector = e5.encode_query("Сколько семей в сети?")
    assert np.array_equal(prepared.center(e5, vector, "ru"), lazy.center(e5, vector, "ru"))


def test_english_other_scripts_and_the_english_only_model_are_not_centered(encoders, e5):
    centering = LanguageCentering()
    minilm = next(encoder for encoder in encoders if encoder.name == "minilm")
    german = minilm.encode_query("Wann wurde AVSF gegründet?")
    assert centering.center(minilm, german, "de") is german
    english, japanese = e5.encode_query("When was AVSF founded?"), e5.encode_query("AVSFはいつ設立されましたか？")
    assert centering.center(e5, english, "en") is english
    assert centering.center(e5, japanese, "other") is japanese


def test_a_chinese_question_finds_its_english_passage(bot):
    reply = bot.ask("AVSF是哪一年成立的？")
    assert reply.language == "zh"
    assert reply.sources[0].section == "Our partners > AVSF"
    assert "1977" in reply.sources[0].text


def test_glossary_gives_mongolian_terms_and_english_short_forms_the_texts_words_longest_first():
    from assistant.query.glossary import english_terms

    assert english_terms("NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?", "mn") == ["reorganized"]
    assert set(english_terms("Хоршоод аль аймгуудад байрладаг вэ?", "mn")) == {"cooperatives", "regions", "located"}
    assert english_terms("Маргааш цаг агаар ямар байх вэ?", "mn") == []
    # a stem in -н drops it in the plural (малчин, малчид; гишүүн, гишүүд): the entry is the part both share
    assert english_terms("Малчид юу хийх үүрэг хүлээдэг вэ?", "mn") == ["herders breeders"]
    for members in ("гишүүн", "гишүүд"):
        assert english_terms(f"Хэдэн {members} байдаг вэ?", "mn") == ["members"]
    assert english_terms("Combien de coopératives ?", "fr") == []  # cognates already match
    assert english_terms("How many co-ops are there?", "en") == ["cooperatives"]
    assert english_terms("In which provinces do your herders live?", "en") == ["regions", "breeders", "network"]


@pytest.mark.parametrize("question, expected", [
    ("How many herders are in the union?", "670 families"),
    ("Where are your cooperatives?", "Bayankhongor"),
    ("In which provinces do your herders live?", "Bayankhongor"),
    ("What do herders get from the union?", "fair remuneration"),
    ("What does the union sell?", "market the cashmere"),
    ("Who does the union work with?", "institutions, NGOs"),
])
def test_the_union_and_its_herders_are_the_network_and_breeders_of_the_texts(bot, question, expected):
    """Visitors say "the union", "your" and "herders"; the texts say "the network" and "breeders"
    (these questions quoted NAMAC's figures, or "...are among them." alone, before)."""
    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)


@pytest.mark.parametrize("question, expected", [
    ("Сүлжээнд хэдэн хоршоо байдаг вэ?", "11 cooperatives"),
    ("Хоршоод аль аймгуудад байрладаг вэ?", "Bayankhongor"),
    ("Хоршоодын зорилго юу вэ?", "better price"),
])
def test_mongolian_questions_reach_the_answer_through_the_glossary(bot, question, expected):
    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)
    assert "cooperatives" in reply.query  # the question as searched carries the English words


@pytest.mark.parametrize("question, expected", [
    # each case fails without its glossary entry (the held-out batches hold no such direct question,
    # so these are what keeps the entry: docs/rules.md "Each other language's glossary")
    ("Où se trouvent les coopératives de l'union ?", "Bayankhongor"),  # fr "union"
    ("Quel est le but de l'union ?", "better price"),  # fr "le but"
    ("Quelle est la mission de l'union ?", "better price"),  # fr "mission"
    ("Quel est l'objectif de l'union ?", "better price"),  # fr "objectif"
    ("Wie viele Familien gehören zur Union?", "670 families"),  # de "union"
    ("Was ist der Zweck der Union?", "better price"),  # de "zweck"
    ("¿Dónde están las cooperativas de la unión?", "Bayankhongor"),  # es "unión"
    # passed by the ranking alone once es "misión" was deleted; the multilingual reader, choosing among the
    # ranking's two ties, both far below an answer (-2.41 and -2.93), takes the network's sentence
    pytest.param("¿Cuál es la misión de la unión?", "better price",
                 marks=pytest.mark.xfail(strict=True, reason="issue 16: a tie the multilingual reader loses")),
])
def test_french_german_and_spanish_words_for_the_union_and_its_aim_reach_the_texts(bot, question, expected):
    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)


@pytest.mark.parametrize("question, expected", [
    # visitors' questions of held-out batches, each quoted right only since the change it names
    # (docs/rules.md). Other languages' ranking gives English's small bonus for length (sixteenth
    # session): NAMAC's members sentence outranked the regions' longer one; the partners' sentence
    # came alone, without the next one that names what they ensure.
    ("Où vivent les éleveurs de l'union ?", "Bayankhongor, Arkhangai and Khentii"),
    ("Танай түншүүд юуг хангахад тусалдаг вэ?", "ensure the sustainability of the product"),
    # A fragment is read with the sentence it describes (seventeenth session): "Respectful of man,
    # animal and their environment." was quoted alone, as the answer, for these.
    ("Танай малчид малынхаа эрүүл мэндийг анхаардаг уу?", "taking care of the animal’s health"),
    ("Les éleveurs doivent-ils prendre soin de la santé de leurs bêtes ?", "taking care of the animal’s health"),
])
def test_held_out_questions_in_other_languages_get_the_sentence_that_answers(bot, question, expected):
    reply = bot.ask(question)
    assert reply.answered and expected in plain_text(reply.text)


def test_the_german_word_mission_is_declined_rather_than_quoted_with_the_partners_sentence(bot):
    # without the de "mission" entry the partners' sentence was quoted; with it the question is declined
    reply = bot.ask("Was ist die Mission der Union?")
    assert "Our close collaboration" not in plain_text(reply.text)


def test_the_index_keeps_each_languages_mean_so_that_no_first_visitor_waits_for_it(bot, e5):
    kept = bot.index.centering["means"][e5.model_id]
    assert set(kept) == set(REFERENCE_QUESTIONS)
    seeded, fresh = LanguageCentering(), LanguageCentering()
    seeded.use(bot.encoders, bot.index.centering)
    assert {language for name, language in seeded._means if name == "e5"} == set(REFERENCE_QUESTIONS)
    vector = e5.encode_query("Quand AVSF a-t-elle été fondée ?")
    assert np.allclose(seeded.center(e5, vector, "fr"), fresh.center(e5, vector, "fr"), atol=1e-6)


def test_means_kept_for_other_reference_questions_are_not_used(bot, e5):
    outdated = {**bot.index.centering, "references": "written before the questions changed"}
    centering = LanguageCentering()
    centering.use(bot.encoders, outdated)
    assert not centering._means
