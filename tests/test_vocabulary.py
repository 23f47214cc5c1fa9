"""The vocabulary store, without models: seeded from rules/glossary.toml, taught and forgotten by
staff, kept across reopening and across processes' connections, bad input refused with a reason."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.curation.vocabulary import (
    MAX_ENGLISH,
    MAX_WORD,
    VocabularyError,
    VocabularyStore,
    clean_english,
    clean_word,
    words_to_teach,
)
from assistant.query.glossary import SEED, Glossary


@pytest.fixture
def store(tmp_path):
    opened = VocabularyStore(tmp_path)
    yield opened
    opened.close()


def pairs(store: VocabularyStore, language: str) -> list[tuple[str, str]]:
    return [(entry.word, entry.english) for entry in store.entries(language)]


def test_a_new_data_folder_starts_from_the_seed_in_its_order(store):
    for language, seeded in SEED.entries.items():
        assert pairs(store, language) == seeded
    assert {entry.origin for entry in store.entries()} == {"seed"}
    question = "In which provinces do your herders live?"
    assert store.current().english_terms(question, "en") == SEED.english_terms(question, "en") == [
        "regions", "breeders", "network"]


def test_the_seed_passes_the_checks_staff_input_gets():
    for seeded in SEED.entries.values():
        for word, english in seeded:
            assert (clean_word(word), clean_english(english)) == (word, english)


def test_taught_and_removed_words_apply_at_once_and_survive_reopening(tmp_path):
    store = VocabularyStore(tmp_path)
    question = "Wie viele Genossenschaften gibt es?"
    assert store.with_english_terms(question, "de") == question
    entry = store.add("de", "  Genossenschaft ", "cooperatives")
    assert (entry.language, entry.word, entry.english) == ("de", "genossenschaft", "cooperatives")
    assert entry.origin == "staff"
    assert store.with_english_terms(question, "de") == question + " cooperatives"
    assert store.with_english_terms(question, "fr") == question  # per language
    assert store.remove("en", "Herder").word == "herder"  # a seed entry can go too
    store.close()

    reopened = VocabularyStore(tmp_path)  # a restart: nothing re-seeded, nothing lost
    assert pairs(reopened, "de")[-1] == ("genossenschaft", "cooperatives")
    assert "herder" not in dict(pairs(reopened, "en"))
    assert reopened.current().english_terms("How many herders?", "en") == []
    assert len(reopened.entries()) == sum(len(seeded) for seeded in SEED.entries.values())
    reopened.close()


def test_another_connections_change_is_seen_on_the_next_read(tmp_path):
    """Two processes on one data folder (two workers): the chat's store sees the console's word."""
    chat, console = VocabularyStore(tmp_path), VocabularyStore(tmp_path)
    before = chat.current()
    assert chat.current() is before  # unchanged: not rebuilt per question
    console.add("fr", "éleveur", "breeders")
    assert chat.current() is not before
    assert chat.with_english_terms("les éleveurs sont-ils payés ?", "fr").endswith(" breeders")
    chat.close()
    console.close()


@pytest.mark.parametrize("language, word, english, reason", [
    ("fr", "", "breeders", "Type the visitor's word."),
    ("fr", "   ", "breeders", "Type the visitor's word."),
    ("fr", "éleveur", "", "Type the texts' English words."),
    ("fr", "<script>alert(1)</script>", "breeders", "cannot hold HTML or script"),
    ("fr", "éleveur", "<b>breeders</b>", "The texts' English words cannot hold HTML or script"),
    ("fr", "x" * (MAX_WORD + 1), "breeders", f"at most {MAX_WORD}"),
    ("fr", "éleveur", "y" * (MAX_ENGLISH + 1), f"at most {MAX_ENGLISH}"),
    ("fr", "é", "breeders", "at least 2 letters"),
    ("fr", "éleveur;", "breeders", "letters, digits, spaces, hyphens and apostrophes only"),
    ("fr", "-éleveur", "breeders", "starts with a letter or a digit"),
    ("it", "allevatore", "breeders", "languages the vocabulary serves: en, fr, de, es, mn"),
    ("", "éleveur", "breeders", "languages the vocabulary serves"),
    ("en", "Herder", "shepherds", "“herder” is already taught in en (it adds “breeders”)"),
])
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(store, language, word, english, reason):
    before = store.entries()
    with pytest.raises(VocabularyError) as refused:
        store.add(language, word, english)
    assert reason in str(refused.value)
    assert store.entries() == before


def test_removing_what_is_not_taught_says_so(store):
    with pytest.raises(VocabularyError, match="“licorne” is not taught in fr"):
        store.remove("fr", "licorne")
    with pytest.raises(VocabularyError, match="Type the visitor's word"):
        store.remove("fr", " ")


def test_a_failed_write_says_so_and_keeps_the_served_vocabulary(tmp_path):
    store = VocabularyStore(tmp_path)
    served = store.current()
    locker = sqlite3.connect(tmp_path / "curated.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    store._db.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(VocabularyError, match="could not be saved"):
            store.add("fr", "éleveur", "breeders")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert store.current() is served
    store.close()


def test_a_glossary_matches_word_beginnings_longest_first():
    glossary = Glossary({"mn": [("байгуул", "founded"), ("өөрчлөн байгуул", "reorganized")]})
    assert glossary.english_terms("NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?", "mn") == ["reorganized"]
    assert glossary.english_terms("хэзээ байгуулагдсан бэ?", "mn") == ["founded"]
    assert glossary.english_terms("өмнө байгуулсан", "en") == []  # another language's entries


def test_words_to_teach_put_the_words_the_texts_lack_first():
    known = frozenset({"cooperatives", "wie", "es"})
    assert words_to_teach("Wie viele Genossenschaften gibt es? 11?", known) == [
        "viele", "genossenschaften", "gibt", "wie", "es"]
    assert words_to_teach("How many cooperatives, éleveurs?", known) == ["how", "many", "éleveurs", "cooperatives"]
    assert words_to_teach("", known) == []
