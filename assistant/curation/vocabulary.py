"""The union's vocabulary as staff data: "visitors say X, the texts say Y", taught in the console.

A table `vocabulary` in the curated answers' database (`curated.sqlite3` in the data folder), so
it survives restarts and re-indexing and is backed up with them. It is seeded once, when the
table is created, from `rules/glossary.toml` (`query.glossary.SEED`); staff then add and remove
entries, seed ones included. Written as the curated answers are: WAL, `synchronous=FULL`, every
change committed before it is acknowledged. Another process's change (a second worker on the same
data folder) is seen on its next question: `PRAGMA data_version` tells when to reload.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.curation.entries import CurationError
from assistant.query.glossary import SEED, Glossary
from assistant.text import fold

DB_NAME = "curated.sqlite3"  # beside the curated answers (curation/store.py)
LANGUAGES = tuple(SEED.entries)  # the languages the glossary serves: those detect_language names
MIN_WORD = 2  # a one-letter beginning would match every word that starts with it
MAX_WORD = 40
MAX_ENGLISH = 80
# letters and digits, with spaces, hyphens and apostrophes inside ("co-op", "gér bül", "qu'est")
ALLOWED = re.compile(r"[^\W_](?:[^\W_]|[ '’-])*")
MARKUP = re.compile(r"[<>&]")  # HTML or script: refused by name, not only as "other characters"
SCHEMA = """
CREATE TABLE vocabulary (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    language TEXT NOT NULL,
    word TEXT NOT NULL,
    english TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (language, word)
)
"""


class VocabularyError(CurationError):
    """Input staff can fix, or a write that failed: the message says which, and nothing was changed."""


@dataclass(frozen=True)
class Entry:
    id: int
    language: str
    word: str  # a visitor's word or its beginning, lowercase
    english: str  # the English words the texts use, added to the question as searched
    origin: str  # "seed" (rules/glossary.toml) or "staff"
    created_at: float


class VocabularyStore:
    """The vocabulary of one data folder; `current()` is what the question path reads."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # autocommit: each statement is its own transaction, or BEGIN IMMEDIATE ... COMMIT
        self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a taught word must survive a crash
        with self._lock:
            self._seed_once()
            self._reload()

    # ------------------------------------------------------------ what the question path reads

    def current(self) -> Glossary:
        """The entries as committed, by this process or another (checked at each call: microseconds)."""
        with self._lock:
            if self._db.execute("PRAGMA data_version").fetchone()[0] != self._version:
                self._reload()
            return self._glossary

    def with_english_terms(self, question: str, language: str) -> str:
        return self.current().with_english_terms(question, language)

    # ------------------------------------------------------------ staff actions

    def entries(self, language: str | None = None) -> list[Entry]:
        """One language's entries (all when None), in the order taught."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM vocabulary WHERE ? IS NULL OR language = ? ORDER BY id",
                                    (language, language)).fetchall()
        return [Entry(*row) for row in rows]

    def add(self, language: str, word: str, english: str) -> Entry:
        """Teach "visitors say `word`, the texts say `english`"; refused with a clear message otherwise."""
        language, word, english = check_language(language), clean_word(word), clean_english(english)
        with self._lock:
            existing = self._db.execute("SELECT english FROM vocabulary WHERE language = ? AND word = ?",
                                        (language, word)).fetchone()
            if existing:
                raise VocabularyError(f"“{word}” is already taught in {language} (it adds “{existing[0]}”): "
                                      "remove it first to change it.")
            try:
                cursor = self._db.execute(
                    "INSERT INTO vocabulary (language, word, english, origin, created_at) VALUES (?, ?, ?, 'staff', ?)",
                    (language, word, english, time.time()))
            except sqlite3.Error as error:
                raise VocabularyError(f"The word could not be saved ({error}); nothing was changed.") from error
            self._reload()
            return self._entry(cursor.lastrowid)

    def remove(self, language: str, word: str) -> Entry:
        """Forget an entry (seed or staff); the removed entry, to say what it was."""
        language, word = check_language(language), normalized(word).lower()
        if not word:
            raise VocabularyError("Type the visitor's word to remove, or click its row.")
        with self._lock:
            found = self._db.execute("SELECT id FROM vocabulary WHERE language = ? AND word = ?",
                                     (language, word)).fetchone()
            if not found:
                raise VocabularyError(f"“{word}” is not taught in {language}.")
            entry = self._entry(found[0])
            try:
                self._db.execute("DELETE FROM vocabulary WHERE id = ?", (entry.id,))
            except sqlite3.Error as error:
                raise VocabularyError(f"The word could not be removed ({error}); nothing was changed.") from error
            self._reload()
            return entry

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------ storage (callers hold the lock)

    def _seed_once(self) -> None:
        """Create the table with the seed entries, once: the table's existence says it was done, and
        BEGIN IMMEDIATE makes a second process starting at the same time wait, then find it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'vocabulary'").fetchone():
                self._db.execute(SCHEMA)
                now = time.time()
                self._db.executemany(
                    "INSERT INTO vocabulary (language, word, english, origin, created_at) VALUES (?, ?, ?, 'seed', ?)",
                    [(language, word, english, now) for language, pairs in SEED.entries.items()
                     for word, english in pairs])
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _reload(self) -> None:
        self._version = self._db.execute("PRAGMA data_version").fetchone()[0]
        pairs: dict[str, list[tuple[str, str]]] = {}
        for language, word, english in self._db.execute("SELECT language, word, english FROM vocabulary ORDER BY id"):
            pairs.setdefault(language, []).append((word, english))
        self._glossary = Glossary(pairs)

    def _entry(self, entry_id: int | None) -> Entry:
        return Entry(*self._db.execute("SELECT * FROM vocabulary WHERE id = ?", (entry_id,)).fetchone())


# ---------------------------------------------------------------- input checks

def normalized(text: str) -> str:
    """One form for one word: NFC (a composed "é"), single spaces, no surrounding space."""
    return " ".join(unicodedata.normalize("NFC", text if isinstance(text, str) else "").split())


def check_language(language: str) -> str:
    code = normalized(language).lower()
    if code not in LANGUAGES:
        raise VocabularyError(f"Choose one of the languages the vocabulary serves: {', '.join(LANGUAGES)}.")
    return code


def _checked(text: str, what: str, longest: int) -> str:
    """`text` normalized, or the reason it cannot be taught (`what`: the field, as a message names it)."""
    text, field = normalized(text), what[0].upper() + what[1:]
    if not text:
        raise VocabularyError(f"Type {what}.")
    if MARKUP.search(text):
        raise VocabularyError(f"{field} cannot hold HTML or script: letters, digits, spaces, "
                              "hyphens and apostrophes only.")
    if len(text) > longest:
        raise VocabularyError(f"{field} is {len(text)} characters long: at most {longest}.")
    if not ALLOWED.fullmatch(text):
        raise VocabularyError(f"{field} may hold letters, digits, spaces, hyphens and apostrophes "
                              "only, and starts with a letter or a digit.")
    return text


def clean_word(word: str) -> str:
    word = _checked(word, "the visitor's word", MAX_WORD).lower()
    if len(word) < MIN_WORD:
        raise VocabularyError(f"The visitor's word needs at least {MIN_WORD} letters: a shorter beginning "
                              "would match too many words.")
    return word


def clean_english(english: str) -> str:
    return _checked(english, "the texts' English words", MAX_ENGLISH)


def words_to_teach(question: str, known: frozenset[str]) -> list[str]:
    """The question's words, those the texts do not use first (`known`: the index's folded words)."""
    words = list(dict.fromkeys(word.lower() for word in re.findall(r"[^\W\d_][\w'’-]*", question or "")
                               if len(word) >= MIN_WORD))
    return sorted(words, key=lambda word: fold(word) in known)  # stable: the question's order otherwise
