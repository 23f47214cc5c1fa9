"""training/sentence_before.py: a share of the pairs read after the sentence before, labels and spans kept."""
from __future__ import annotations

import pytest

from training.reader_data import Article, Pair, Sentence
from training.sentence_before import contexts_with_sentence_before, with_sentence_before

FIRST = "The network was created in 2014."
SECOND = "Its 670 families live in three regions."  # leans on the first: read after it already
THIRD = "The wool is sold at a fair price."


def article() -> Article:
    sentences = [Sentence(f"Union\n{FIRST}", FIRST, frozenset()),
                 Sentence(f"Union\n{FIRST} {SECOND}", SECOND, frozenset()),
                 Sentence(f"Union\n{THIRD}", THIRD, frozenset())]
    return Article("Union", [sentences], [])


def test_only_sentences_read_alone_with_one_before_get_a_longer_context():
    assert contexts_with_sentence_before([article()]) == {
        f"Union\n{THIRD}": (f"Union\n{SECOND} {THIRD}", SECOND)}


def span_pair(question: str, answer: str) -> Pair:
    start = f"Union\n{THIRD}".index(answer)
    return Pair(question, f"Union\n{THIRD}", 1.0, start, start + len(answer))


@pytest.mark.parametrize(("pairs", "expected_contexts"), [
    # an answer keeps its label and its span, moved by the sentence before
    ([span_pair("How is the wool sold?", "at a fair price")], [f"Union\n{SECOND} {THIRD}"]),
    # a sentence that does not answer, when the one before does not either
    ([Pair("When was it created?", f"Union\n{THIRD}", 0.0)], [f"Union\n{SECOND} {THIRD}"]),
    # ... but not when the sentence before holds the question's answer
    ([Pair("How many families?", f"Union\n{FIRST} {SECOND}", 1.0, 11 + len(FIRST), 14 + len(FIRST)),
      Pair("How many families?", f"Union\n{THIRD}", 0.0)],
     [f"Union\n{FIRST} {SECOND}", f"Union\n{THIRD}"]),
    # a context the articles do not hold (an "about" page's) is left alone
    ([Pair("Who?", "Elsewhere\nSomething else.", 0.0)], ["Elsewhere\nSomething else."]),
])
def test_pairs_read_with_the_sentence_before(pairs, expected_contexts):
    changed = with_sentence_before(pairs, [article()], share=1.0, seed=1)
    assert [p.context for p in changed] == expected_contexts
    for before, after in zip(pairs, changed):
        assert after.label == before.label
        assert answer(after) == answer(before)


def answer(pair: Pair) -> str:
    return pair.context[pair.answer_start:pair.answer_end]


def test_no_share_changes_nothing():
    pairs = [span_pair("How is the wool sold?", "at a fair price")]
    assert with_sentence_before(pairs, [article()], share=0.0, seed=1) == pairs
