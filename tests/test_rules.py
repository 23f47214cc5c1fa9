"""The answer path's rule tables, table-driven and without models (`make test-fast`).

Each table is a data file under assistant/rules/; these tests read what the modules load from them.
"""
from __future__ import annotations

import re

import pytest

from assistant import rules
from assistant.query.kinds import (
    ANSWER_PATTERNS,
    KIND_WORDS,
    LABELS,
    SAME_ANSWER,
    STRICT_KINDS,
    TYPED_KINDS,
    question_kind,
)


def test_the_kind_tables_keep_the_same_kinds():
    assert set(ANSWER_PATTERNS) <= set(KIND_WORDS) == set(LABELS)
    assert TYPED_KINDS | STRICT_KINDS <= set(ANSWER_PATTERNS)  # bolding and declining need the answer's pattern
    assert set(SAME_ANSWER) <= set(KIND_WORDS)


@pytest.mark.parametrize("name", ["kinds", "small_talk", "followup"])
def test_every_pattern_of_the_rule_files_compiles(name):
    table = rules.load(name)
    for pattern in patterns_in({key: value for key, value in table.items() if key != "kinds"}, table.get("parts", {})):
        re.compile(pattern)
    for rule in table.get("kinds", {}).values():
        for pattern in [*rule["question_words"], rule.get("answer", "")]:
            re.compile(rules.expand(pattern, table["parts"]))


def patterns_in(value: object, parts: dict) -> list[str]:
    """Every string of a table, its {{parts}} expanded."""
    if isinstance(value, str):
        return [rules.expand(value, parts)]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [pattern for item in items for pattern in patterns_in(item, parts)]


def test_every_language_has_the_visitor_texts_english_has():
    texts = rules.load("messages")
    for table in ("examples", "decline", "nothing_more", "unsure"):
        assert set(texts[table]) >= {"en", "fr", "de", "es", "mn"}, table
    for kind, by_language in texts["small_talk"].items():
        assert set(by_language) >= {"en", "fr", "de", "es", "mn"}, kind


@pytest.mark.parametrize("question, kind", [
    ("In what year was AVSF founded?", "year"),
    ("Who founded AVSF?", "who"),
    ("AVSF was founded when?", None),  # the question word comes too late (curated answers look anywhere)
    ("NAMAC хэдэн онд өөрчлөн зохион байгуулагдсан бэ?", "year"),  # the question word comes late
    ("When was NAMAC reorganized?", "when"),
    ("Quand AVSF a-t-elle été fondée ?", "when"),
    ("How many families are in the network?", "count"),
    ("How many seconds were left when the game ended?", "count"),  # the earliest question word
    ("Where are the cooperatives located?", "where"),
    ("Why did the breeders group together?", "why"),
    ("What is the goal of the union?", "purpose"),
    ("What was NAMAC's forerunner called?", "alias"),
    ("How much does a scarf cost?", "price"),
    ("Who is the president of the union?", "role"),
    ("What is the email address of the union?", "email"),
    ("What is your phone number?", "phone"),
    ("What is the street address of the office?", None),  # deleted: no benchmark needed it (docs/rules.md)
    ("What is NAMAC?", None),
    ("What is the union's website?", None),  # deleted: no benchmark needed it (docs/rules.md)
])
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize("kind, sentence, answer", [
    ("year", "AVSF is a French NGO founded in 1977.", "1977"),
    ("count", "It now forms a network of 670 families through 11 cooperatives.", "670 families through"),
    ("count", "In 2022, the network extends throughout Mongolia.", None),  # a year is not a count
    ("where", "They are located in the regions of Bayankhongor, Arkhangai and Khentii.",
     "Bayankhongor, Arkhangai and Khentii"),
    # any name after a lower-case word: so NAMAC's "households throughout Mongolia" fits "where" as well
    ("where", "It has 38,000 households throughout Mongolia.", "Mongolia"),
    ("price", "A scarf sells for 120 euros in the shop.", "120 euros"),
    ("email", "Write to info@cashmere-union.mn for any question.", "info@cashmere-union.mn"),
    ("role", "Dulam Bat has been the president of the union since 2021.", "president"),
])
def test_answer_patterns(kind, sentence, answer):
    found = re.search(ANSWER_PATTERNS[kind], sentence)
    assert (found.group(0) if found else None) == answer


NETWORK = "It now forms a network of 670 families through 11 cooperatives located in the regions of Khentii."
MEMBERS = ("NAMAC’s member cooperatives include more than 100,000 individual members, 38,000 households "
           "throughout Mongolia.")


@pytest.mark.parametrize("question, sentence, bold", [
    # the pattern's phrase ends with the last word the question asks about, not the words after it
    ("How many families are in the network?", NETWORK, ["670 families"]),
    ("how many cooperatives are there", NETWORK, ["11 cooperatives"]),
    ("how many members does namac have", MEMBERS, ["more than 100,000 individual members"]),
    ("How many households are in the cooperatives?", MEMBERS, ["38,000 households"]),
    # no phrase shares a word with the question: each count is marked alone, not the words after it
    ("How large is NAMAC?", MEMBERS, ["more than 100,000", "38,000"]),
    ("Combien de familles font partie du réseau ?", NETWORK, ["670", "11"]),
    ("how many were there at first", "The breeders formed five cooperatives.", ["five"]),
    ("When was AVSF founded?", "AVSF is a French NGO founded in 1977.", ["1977"]),
    ("Who is NAMAC?", MEMBERS, []),  # no pattern for "who", no reader span: nothing bold
])
def test_the_bold_answer(question, sentence, bold):
    from assistant.answer.render import bold_answer

    assert re.findall(r"\*\*(.+?)\*\*", bold_answer(sentence, question)) == bold
