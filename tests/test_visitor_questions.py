"""Visitor-style questions over SQuAD pages -> reader pairs (training/visitor_questions.py): no models."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from training.reader_data import load_articles, split
from training.train_reader import SEED
from training.visitor_questions import FOLDER, load_lines, pages, visitor_pairs

HELD_OUT_ARTICLES = 40  # train_reader's and calibrate_reader's default
PAGE = {"title": "Goat_Union", "paragraphs": [
    {"context": "The Goat Union was founded in 1990 by herders. It sells wool in Europe.", "qas": []},
    {"context": "Its members live in three valleys. They own 5,000 goats.", "qas": []},
]}


@pytest.fixture
def squad(tmp_path: Path) -> Path:
    path = tmp_path / "squad.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump({"data": [PAGE]}, handle)
    return path


def test_an_answerable_question_marks_its_answer_in_the_sentence_holding_it(squad):
    line = {"article": "Goat Union", "question": "when did u start", "paragraph": 0, "expect": "founded in 1990"}
    pairs = visitor_pairs([line], seed=0, squad=squad)
    positive = [p for p in pairs if p.label == 1.0]
    assert len(positive) == 1
    assert positive[0].context[positive[0].answer_start:positive[0].answer_end] == "founded in 1990"
    assert positive[0].context.startswith("Goat Union\n")  # the heading the assistant gives at run time
    negatives = [p.context for p in pairs if p.label == 0.0]
    assert any(context.endswith("It sells wool in Europe.") for context in negatives)  # the paragraph's other sentence


def test_an_unanswerable_question_gives_only_negatives_closest_first(squad):
    line = {"article": "Goat Union", "question": "how many goats are in each valley", "expect": "decline"}
    pairs = visitor_pairs([line], seed=0, squad=squad)
    assert pairs and all(p.label == 0.0 and p.answer_start == -1 for p in pairs)
    assert pairs[0].context == "Goat Union\nIts members live in three valleys."  # "valley": the rarest shared word
    assert len(pairs) == 4  # the page has 4 sentences: all of them close, none left to draw at random


def test_an_answer_the_paragraph_does_not_hold_gives_no_pair(squad):
    line = {"article": "Goat Union", "question": "where are they", "paragraph": 0, "expect": "three valleys"}
    assert visitor_pairs([line], seed=0, squad=squad) == []


def test_the_written_questions_hold_their_answers_verbatim():
    """Every shipped line, those the served reader trained on and those written for the next pass
    (`more/`), names a training article (none of those calibration holds out), and its answer lies
    in one sentence of its paragraph."""
    lines = load_lines(sorted(FOLDER.glob("**/*.jsonl")))
    articles = pages({line["article"] for line in lines})
    assert lines and set(articles) == {line["article"] for line in lines}
    _, held_out = split(load_articles(), HELD_OUT_ARTICLES, SEED)
    assert not set(articles) & {article.title for article in held_out}
    answerable = [line for line in lines if line["expect"] != "decline"]
    held = [any(line["expect"] in s.text for s in articles[line["article"]].paragraphs[line["paragraph"]])
            for line in answerable]
    assert sum(held) >= 0.95 * len(answerable)


def test_the_held_out_pages_have_no_training_question():
    """`bench/reader_visitors.py` measures on pages no other written question is about."""
    measured = {line["article"] for line in load_lines([FOLDER / "held_out.jsonl"])}
    training = [path for path in FOLDER.glob("**/*.jsonl") if path.name != "held_out.jsonl"]
    assert measured and not measured & {line["article"] for line in load_lines(training)}
