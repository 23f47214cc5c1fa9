"""Curated answers: passages pinned, or short answers written, by staff; consulted before the corpus.

Everything lives in SQLite (`curated.sqlite3` in the data folder): the pinned
passage's own text, title, section, path and URL are stored, not a chunk id, so
a curated answer survives restarts and re-indexing. The questions' vectors are
cached by (model, text) hash; a model change re-encodes them on the next start.
How a question is matched to them is `matcher`'s. The staff's vocabulary (`vocabulary.py`) lives
in the same database: the questions are encoded with its words, as a visitor's question is.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.curation import matcher
from assistant.curation.entries import Curated, CurationError, answer_text, clean_questions, source_fields
from assistant.curation.vocabulary import VocabularyStore
from assistant.text import text_hash
from assistant.types import Reply, Source

if TYPE_CHECKING:
    from assistant.models.embedding import Encoder

DB_NAME = "curated.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS curated (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    questions TEXT NOT NULL,
    text TEXT NOT NULL,
    source_title TEXT NOT NULL DEFAULT '',
    source_section TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    source_url TEXT,
    source_text TEXT NOT NULL DEFAULT '',
    turn_id TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS vectors (
    key TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
"""
# Below its `list` method, `list` in the class body would name the method: hence the alias.
Questions = str | list[str]  # one question per line, or a list


class CuratedAnswers:
    """The curated answers of one data folder: `Assistant(curated=CuratedAnswers(data_dir, encoders))`."""

    def __init__(self, data_dir: str | os.PathLike[str], encoders: Sequence[Encoder],
                 vocabulary: VocabularyStore | None = None) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.encoders = list(encoders)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a saved fix must survive a crash
        self._db.executescript(SCHEMA)
        self._db.commit()
        self.vocabulary = vocabulary or VocabularyStore(data_dir)  # what Assistant.ask searches with
        self._snapshot = matcher.EMPTY
        with self._lock:
            self._refresh()

    # ------------------------------------------------------------ the hook Assistant.ask calls

    def match(self, query_vectors: dict[str, np.ndarray], question: str, language: str) -> Reply | None:
        """Staff's answer, when one of the curated questions is close enough to this one."""
        found = self.find(query_vectors, question, language)
        return matcher.staff_reply(found.entry, question, language) if found else None

    def find(self, query_vectors: dict[str, np.ndarray], question: str, language: str) -> matcher.Match | None:
        """The best curated answer for the question, when one is close enough."""
        if self.vocabulary.current() is not self._snapshot.glossary:  # staff taught or removed a word
            with self._lock:
                if self.vocabulary.current() is not self._snapshot.glossary:
                    self._refresh()
        return matcher.find(self._snapshot, query_vectors, question, language)

    # ------------------------------------------------------------ staff actions

    def pin(self, question: Questions, source: Source | dict[str, Any], turn_id: str | None = None) -> Curated:
        """Pin a corpus passage (quoted verbatim) as the answer to a question."""
        fields = source_fields(source)
        if not fields["source_text"].strip():
            raise CurationError("The pinned passage has no text.")
        return self._insert("passage", question, fields["source_text"], fields, turn_id)

    def write(self, question: Questions, text: str, source: Source | dict[str, Any],
              turn_id: str | None = None) -> Curated:
        """A short answer in staff's own words, with the source it rests on."""
        fields = source_fields(source)
        if not (fields["source_path"] or fields["source_title"] or fields["source_url"]):
            raise CurationError("A written answer needs its source.")
        return self._insert("written", question, text, fields, turn_id)

    def update(self, curated_id: int, *, questions: Questions | None = None, text: str | None = None,
               source: Source | dict[str, Any] | None = None) -> Curated:
        """Edit the questions, the text (written answers only: a pinned quote stays verbatim) or the source."""
        entry = self._existing(curated_id)
        changes = _changes(entry, questions, text, source)
        if not changes:
            return entry
        changes["updated_at"] = time.time()
        with self._lock:
            columns = ", ".join(f"{name} = ?" for name in changes)
            self._db.execute(f"UPDATE curated SET {columns} WHERE id = ?", [*changes.values(), int(curated_id)])
            self._db.commit()
            self._refresh()
        return self._existing(curated_id)

    def remove(self, curated_id: int) -> bool:
        with self._lock:
            removed = self._db.execute("DELETE FROM curated WHERE id = ?", (int(curated_id),)).rowcount
            self._db.commit()
            self._refresh()
        return bool(removed)

    def get(self, curated_id: int) -> Curated | None:
        return self._snapshot.entries.get(int(curated_id))

    def list(self) -> list[Curated]:
        return sorted(self._snapshot.entries.values(), key=lambda entry: -entry.updated_at)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self.vocabulary.close()

    # ------------------------------------------------------------ storage

    def _existing(self, curated_id: int | None) -> Curated:
        entry = self.get(curated_id) if curated_id is not None else None
        if entry is None:
            raise CurationError(f"No curated answer #{curated_id}.")
        return entry

    def _insert(self, kind: str, questions: Questions, text: str, fields: dict[str, Any],
                turn_id: str | None) -> Curated:
        now = time.time()
        row = {"kind": kind, "questions": json.dumps(clean_questions(questions), ensure_ascii=False),
               "text": answer_text(text), **fields, "turn_id": turn_id, "created_at": now, "updated_at": now}
        with self._lock:
            cursor = self._db.execute(
                f"INSERT INTO curated ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", [*row.values()])
            self._db.commit()
            self._refresh()
        return self._existing(cursor.lastrowid)

    def _refresh(self) -> None:
        """Reload the entries and rebuild the snapshot; encode only questions not cached. Caller holds the lock."""
        self._snapshot = matcher.build_snapshot(_entries(self._db), self.encoders, partial(_cached_vectors, self._db),
                                                self.vocabulary.current())


def _changes(entry: Curated, questions: Questions | None, text: str | None,
             source: Source | dict[str, Any] | None) -> dict[str, Any]:
    """The columns an update changes (a pinned passage's text follows its source)."""
    changes: dict[str, Any] = {}
    if questions is not None:
        changes["questions"] = json.dumps(clean_questions(questions), ensure_ascii=False)
    if text is not None and entry.kind == "written":
        changes["text"] = answer_text(text)
    if source is not None:
        changes.update(source_fields(source))
        if entry.kind == "passage":
            changes["text"] = answer_text(changes["source_text"])
    return changes


def _entries(db: sqlite3.Connection) -> dict[int, Curated]:
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT * FROM curated").fetchall()
    finally:
        db.row_factory = None
    entries = {}
    for row in rows:
        data = dict(row)
        data["questions"] = json.loads(data["questions"])
        entries[data["id"]] = Curated(**data)
    return entries


def _cached_vectors(db: sqlite3.Connection, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Each text's vector under the encoder: from the cache, or encoded and cached."""
    rows = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    for position, text in enumerate(texts):
        key = text_hash(encoder.model_id, text)
        found = db.execute("SELECT vector FROM vectors WHERE key = ?", (key,)).fetchone()
        if found and len(found[0]) == encoder.dim * 4:
            rows[position] = np.frombuffer(found[0], dtype=np.float32)
            continue
        vector = np.asarray(encoder.encode_query(text), dtype=np.float32).reshape(-1)
        db.execute("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", (key, vector.tobytes()))
        rows[position] = vector
    db.commit()
    return rows
