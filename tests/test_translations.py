"""Translated texts: a visitor asking in French or Mongolian reads the union's own translation.

The translations are the test ones in tests/fixtures/translations (corpus/ holds only the union's
texts). Real models, a real index built from corpus/ plus the translations.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.messages import SOURCE_NOTE
from assistant.ingest.store import load_index
from assistant.ops.corpus_admin import CorpusAdmin
from assistant.pipeline import Assistant
from assistant.text import plain_text
from assistant.web.turn_view import inspector
from tests.conftest import TRANSLATION_FILES, assistant_with

FRENCH, MONGOLIAN = TRANSLATION_FILES[0], TRANSLATION_FILES[1:]


def _without_namac(corpus: Path) -> None:
    """A French translation that lacks the NAMAC section (2 sections where the original has 3)."""
    text = (corpus / FRENCH).read_text(encoding="utf-8")
    (corpus / FRENCH).write_text(text[:text.index("## NAMAC")], encoding="utf-8")


@pytest.fixture(scope="module")
def partial(bot, tmp_path_factory) -> Assistant:
    return assistant_with(tmp_path_factory.mktemp("partial"), bot, (FRENCH,), _without_namac)


def test_a_french_question_quotes_the_french_translation(translated_bot):
    reply = translated_bot.ask("Combien de familles font partie du réseau ?")
    assert reply.answered and "**670 familles" in reply.text
    assert reply.sources[0].path == FRENCH and reply.sources[0].section == "Nos partenaires > AVSF"
    assert SOURCE_NOTE["fr"] not in reply.text  # the source is not in English
    assert reply.trace["translated"] == FRENCH


def test_staff_see_that_the_quote_is_the_translation(translated_bot):
    reply = translated_bot.ask("Combien de familles font partie du réseau ?")
    summary, _, sentences = inspector({"answered": reply.answered, "query": reply.query, "trace": reply.trace})
    assert f"from the translation `{FRENCH}`" in summary
    assert "670 families" in sentences["sentence"].iloc[0]  # the original's sentence, which the ranking chose


def test_a_mongolian_question_quotes_the_mongolian_translation(translated_bot):
    reply = translated_bot.ask("AVSF хэдэн онд байгуулагдсан бэ?")
    assert reply.answered and "**1977** онд байгуулагдсан Францын" in reply.text
    assert reply.sources[0].path == MONGOLIAN[0] and reply.sources[0].title == "Манай түншүүд"
    assert SOURCE_NOTE["mn"] not in reply.text


def test_a_language_without_translation_keeps_the_english_quote_and_its_note(translated_bot):
    reply = translated_bot.ask("Wann wurde AVSF gegründet?")
    assert reply.answered and "founded in **1977**" in reply.text and SOURCE_NOTE["de"] in reply.text
    assert reply.sources[0].path == "partners.txt"


def test_english_replies_are_the_same_with_translations(translated_bot, bot):
    for question in ("How many families are in the network?", "When was NAMAC reorganized?",
                     "Where can I buy a cashmere scarf?"):
        with_them, without = translated_bot.ask(question), bot.ask(question)
        assert (with_them.answered, with_them.text) == (without.answered, without.text)
        assert all(source.path == "partners.txt" for source in with_them.sources)


def test_the_index_records_each_chunks_language_and_aligned_chunk(translated_bot):
    index = load_index(translated_bot.index_dir)
    assert {chunk.language for chunk in index.chunks} == {"en"}  # translations are not searched
    originals = {chunk.id: chunk.section for chunk in index.chunks}
    for chunk in index.translations.chunks:
        english_heading = originals[chunk.aligned].split(" > ")[1:]
        assert chunk.section.split(" > ")[1:] == english_heading  # "Nos partenaires > AVSF" ~ "Our partners > AVSF"
        assert chunk.language == ("fr" if chunk.path == FRENCH else "mn")
    reports = {r["document"]: r for r in index.manifest["translations"]}
    assert reports[FRENCH]["aligned_by"] == "heading order" and reports[FRENCH]["sections"] == 3


def test_tell_me_more_goes_on_in_the_translation(translated_bot):
    first = translated_bot.ask("Quand AVSF a-t-elle été fondée ?")
    history = [{"role": "user", "content": "Quand AVSF a-t-elle été fondée ?"},
               {"role": "assistant", "content": first.text}]
    more = translated_bot.ask("Dites-m'en plus", history)
    assert more.answered and "En 2014, elle a créé" in more.text and more.sources[0].path == FRENCH


def test_a_missing_section_falls_back_to_english_with_the_note(partial):
    namac = partial.ask("En quelle année la NAMAC a-t-elle été réorganisée ?")
    assert namac.answered and "reorganized in **1992**" in namac.text and SOURCE_NOTE["fr"] in namac.text
    avsf = partial.ask("Quand AVSF a-t-elle été fondée ?")
    assert "ONG française fondée en **1977**" in avsf.text and avsf.sources[0].path == FRENCH


def test_a_mismatched_translation_is_accepted_and_flagged_for_staff(partial):
    report = next(r for r in partial.index.manifest["translations"] if r["document"] == FRENCH)
    assert (report["sections"], report["original_sections"]) == (2, 3)
    assert report["aligned_by"].startswith("content")
    rows = {row["document"]: row for row in CorpusAdmin(partial).documents()}
    assert re.search(r"translation \(fr\) of partners\.txt: check it, 2 sections where the original has 3",
                     rows[FRENCH]["status"])
    assert rows[FRENCH]["chunks"] > 0 and rows["partners.txt"]["status"] == "indexed"


def test_a_translation_of_a_missing_document_is_reported_not_searched(bot, tmp_path):
    def orphan(corpus: Path) -> None:
        text = (corpus / FRENCH).read_text(encoding="utf-8")
        (corpus / FRENCH).write_text(text.replace("translation_of: partners.txt", "translation_of: gone.txt"),
                                     encoding="utf-8")

    lone = assistant_with(tmp_path, bot, (FRENCH,), orphan)
    report = lone.index.manifest["translations"][0]
    assert "gone.txt" in report["problem"] and not lone.index.translations.chunks
    assert all(chunk.path == "partners.txt" for chunk in lone.index.chunks)
    reply = lone.ask("Combien de familles font partie du réseau ?")
    assert "670 families" in plain_text(reply.text) and SOURCE_NOTE["fr"] in reply.text
    status = {row["document"]: row["status"] for row in CorpusAdmin(lone).documents()}[FRENCH]
    assert "not used" in status and "gone.txt" in status
