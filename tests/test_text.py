"""The text helpers every layer shares (`assistant/text.py`), table-driven and without models."""
from __future__ import annotations

import pytest

from assistant.curation.entries import clean_questions
from assistant.text import escape_markdown, fold, folded_words, plain_text, safe_url, text_hash


@pytest.mark.parametrize("url, safe", [
    ("https://www.avsf.org/en/", "https://www.avsf.org/en/"),
    ("  http://example.org/a?b=c  ", "http://example.org/a?b=c"),
    ("https://en.wikipedia.org/wiki/Cashmere_(wool)", "https://en.wikipedia.org/wiki/Cashmere_%28wool%29"),
    ("javascript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("https://example.org/<script>", None),
    ('https://example.org/" onclick="x', None),
    ("ftp://example.org/file", None),
    ("", None),
    (None, None),
])
def test_only_plain_web_links_are_kept(url, safe):
    assert safe_url(url) == safe


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "[click](javascript:alert(1))", "**bold** _it_ `code` # title | a ~ b",
    "Vétérinaires Sans Frontières \\ backslash", "plain text, 670 families",
])
def test_escaped_text_shows_as_typed(text):
    escaped = escape_markdown(text)
    assert "<" not in escaped.replace("\\<", "") and "[" not in escaped.replace("\\[", "")
    assert plain_text(escaped) == text


@pytest.mark.parametrize("markdown, plain", [
    ("_I'm not sure. The closest passage:_\n\n“a network of **670 families**”",
     "I'm not sure. The closest passage:\n\n“a network of 670 families”"),
    ("“In 2022, a \\_new\\_ \\*\\*network\\*\\*”\n\n_La source est en anglais._",
     "“In 2022, a _new_ **network**”\n\nLa source est en anglais."),
])
def test_plain_text_drops_the_reply_s_marks_and_keeps_the_texts_own_characters(markdown, plain):
    """What the review table, the CSV export and the evaluations read: "not sure" replies lead in italics."""
    assert plain_text(markdown) == plain


@pytest.mark.parametrize("text, folded", [
    ("Vétérinaires", "veterinaires"), ("NAMAC", "namac"), ("Хоршоо", "хоршоо"),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("first, second", [
    ("AVSF founded?", "avsf  founded"), ("Où sont les coopératives ?", "ou sont les cooperatives"),
    ("When_was-it", "when was it"),
])
def test_questions_that_differ_only_in_case_accents_and_punctuation_fold_alike(first, second):
    assert folded_words(first) == folded_words(second)


def test_a_text_hash_depends_on_the_model_and_the_text():
    assert text_hash("minilm", "a") == text_hash("minilm", "a")
    assert len({text_hash("minilm", "a"), text_hash("e5", "a"), text_hash("minilm", "b")}) == 3


@pytest.mark.parametrize("typed, questions", [
    ("When was AVSF\x00 founded?\n\u202eWho is NAMAC?", ["When was AVSF founded?", "Who is NAMAC?"]),
    ("  what   is\tAVSF  \n\nwhat is avsf?", ["what is AVSF"]),
    (["\x1b[31mWhat is NAMAC?", "?!"], ["[31mWhat is NAMAC?"]),
])
def test_curated_questions_are_cleaned_as_visitors_questions_are(typed, questions):
    assert clean_questions(typed) == questions
