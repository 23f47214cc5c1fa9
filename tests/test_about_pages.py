"""Written "about" pages -> reader pairs (training/about_pages.py): no models."""
from __future__ import annotations

import json
import re

from training.about_pages import (
    CALIBRATION,
    FOLDER,
    HELD_OUT,
    about_pairs,
    articles_and_lines,
    load_pages,
)
from training.visitor_questions import DECLINE

PAGE = {"organisation": "Valley Goat Union", "title": "Our partners", "sections": [
    {"heading": "", "text": "The Valley Goat Union works with many partners."},
    {"heading": "Hill Fund", "text": "The Hill Fund is a Swiss charity founded in 1990. It paid for 12 wells.\n\n"
                                     "Its staff visit the valleys twice a year."},
], "questions": [
    {"category": "paraphrase", "question": "who paid for ur wells", "section": 1, "expect": "paid for 12 wells"},
    {"category": "unanswerable", "question": "how many goats drink at the wells", "expect": "decline"},
]}
# The union's texts and test sets: written pages must stay clear of them
TEST_TOPICS = re.compile(r"mongolia|cashmere|\bavsf\b|\bnamac\b|ulaanbaatar|монгол|ноолуур|улаанбаатар", re.I)
# the training pages' questions as Mongolian and French visitors ask them (`english`: the original)
TRANSLATED = [FOLDER.with_name("about_pages_mn"), FOLDER.with_name("about_pages_fr")]


def test_each_sentence_is_read_under_its_heading_path_and_the_sentence_it_leans_on():
    articles, lines = articles_and_lines([PAGE])
    article = articles["Valley Goat Union: Our partners"]
    assert [s.text for s in article.paragraphs[0]] == ["The Valley Goat Union works with many partners."]
    assert article.paragraphs[0][0].context.startswith("Our partners\n")
    wells = article.paragraphs[1][1]
    assert wells.context == ("Our partners > Hill Fund\n"
                             "The Hill Fund is a Swiss charity founded in 1990. It paid for 12 wells.")
    assert [line["paragraph"] for line in lines] == [1, -1]


def test_the_questions_give_a_marked_answer_and_negatives(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(PAGE) + "\n", encoding="utf-8")
    pairs = about_pairs([path], seed=0)
    positive = [p for p in pairs if p.label == 1.0]
    assert [p.context[p.answer_start:p.answer_end] for p in positive] == ["paid for 12 wells"]
    unanswerable = [p for p in pairs if p.question == "how many goats drink at the wells"]
    assert unanswerable and all(p.label == 0.0 for p in unanswerable)


def test_the_written_pages_hold_their_answers_in_one_sentence_of_their_section():
    pages = load_pages(sorted(FOLDER.rglob("*.jsonl")))
    articles, lines = articles_and_lines(pages)
    assert len(articles) == len(pages) >= 40
    for line in lines:
        if line["expect"] != DECLINE:
            sentences = articles[line["article"]].paragraphs[line["paragraph"]]
            assert any(line["expect"] in s.text for s in sentences), line
    shares = [sum(q["expect"] == DECLINE for q in page["questions"]) / len(page["questions"]) for page in pages]
    assert min(shares) > 0.3  # many on-topic questions the page does not answer, as visitors ask


def test_no_organisation_is_on_two_of_training_calibration_and_held_out_and_none_is_the_union():
    kept_apart = {HELD_OUT, CALIBRATION}
    training = [p for path in FOLDER.rglob("*.jsonl") if path not in kept_apart for p in load_pages([path])]
    groups = [training, load_pages([HELD_OUT]), load_pages([CALIBRATION])]
    names = [{p["organisation"] for p in group} for group in groups]
    assert all(names) and sum(map(len, names)) == len(set.union(*names))
    for page in (p for group in groups for p in group):
        text = " ".join([page["organisation"], *(s["heading"] + " " + s["text"] for s in page["sections"]),
                         *(q["question"] for q in page["questions"])])
        assert not TEST_TOPICS.search(text), page["organisation"]


def test_a_translated_question_draws_the_negatives_of_its_english_original(tmp_path):
    translated = {**PAGE, "questions": [
        {**PAGE["questions"][0], "question": "qui a payé vos puits", "english": "who paid for ur wells"},
        {**PAGE["questions"][1], "question": "combien de chèvres boivent aux puits",
         "english": "how many goats drink at the wells"}]}
    english, french = tmp_path / "en.jsonl", tmp_path / "fr.jsonl"
    english.write_text(json.dumps(PAGE) + "\n", encoding="utf-8")
    french.write_text(json.dumps(translated) + "\n", encoding="utf-8")
    originals, translations = about_pairs([english], seed=0), about_pairs([french], seed=0)
    assert [(p.context, p.label, p.answer_start) for p in originals] == \
           [(p.context, p.label, p.answer_start) for p in translations]
    assert {p.question for p in translations} == {"qui a payé vos puits", "combien de chèvres boivent aux puits"}


def test_each_translation_asks_its_english_page_questions_with_the_same_answers():
    for folder in TRANSLATED:
        paths = sorted(folder.glob("set_*.jsonl"))
        assert len(paths) == len(list(FOLDER.glob("set_*.jsonl"))), folder
        for path in paths:
            originals, translations = load_pages([FOLDER / path.name]), load_pages([path])
            assert [p["sections"] for p in originals] == [p["sections"] for p in translations], path
            for original, translation in zip(originals, translations):
                pairs = list(zip(original["questions"], translation["questions"], strict=True))
                for asked, translated in pairs:
                    assert translated["english"] == asked["question"], path
                    assert {k: v for k, v in translated.items() if k not in ("question", "english")} == \
                           {k: v for k, v in asked.items() if k != "question"}, path
                    assert translated["question"].strip() and not TEST_TOPICS.search(translated["question"])
