"""Curated answers: passages pinned, or short answers written, by staff; consulted before the corpus.

`Assistant.ask` calls `match(query_vectors, question, language)` with the
rewritten question's unit vectors ({"minilm": ..., "e5": ...}). Each curated
answer keeps its question (plus any paraphrases or translations staff add) and
those questions' vectors, so the same question and its close paraphrases get the
staff's answer, marked "checked by staff", citing its source.

Everything lives in SQLite (`curated.sqlite3` in the data folder): the pinned
passage's own text, title, section, path and URL are stored, not a chunk id, so
a curated answer survives restarts and re-indexing. Vectors are cached by
(model, text) hash; a model change re-encodes them on the next start.

Matching (cosine of the rewritten question against each stored question), and
the question must ask the same kind of thing (when / how many / who / where /
other, from its question words in the five languages): embeddings alone put
"Who founded AVSF?" at 0.963 (MiniLM) from "When was AVSF founded?".
Calibrated on 22 paraphrases vs 23 different questions about the same entities
(the numbers are in the staff tests and the report):
  English, MiniLM >= 0.88 (and E5 >= 0.90): paraphrases 0.673-0.982, 19/22 match;
      same-kind different questions at most 0.873 ("Who founded the Sustainable
      Cashmere Union?" vs "Who supports ...?"), 0/23 match. Without the kind check
      0.88 would let 4/23 through ("What does the Sustainable Cashmere Union do?" 0.901).
  Other languages, E5 only (MiniLM is English-only) >= 0.965: same-language
      paraphrases 0.977-0.997; different questions up to 0.955 ("Qu'est-ce que AVSF ?"
      vs "Quand AVSF a-t-elle été fondée ?", also caught by the kind check).
  Across languages E5 cannot tell "When was AVSF founded?" (0.94-0.95 to its
  translations) from "What is AVSF?" (0.96), so a translation only matches when
  staff add it as one of the curated answer's questions. Staff can add looser
  paraphrases the same way.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.messages import CHECKED_BY_STAFF, in_language
from assistant.query.kinds import answer_kind
from assistant.text import escape_markdown
from assistant.types import Reply, ReplyKind, Source, Trace

log = logging.getLogger(__name__)

DB_NAME = "curated.sqlite3"
ENGLISH_THRESHOLD = 0.88  # MiniLM cosine
ENGLISH_E5_GUARD = 0.90
OTHER_THRESHOLD = 0.965  # E5 cosine
MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 2000
KINDS = ("passage", "written")
# What a question asks, by its question words (checked in this order); anything else is "other".

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


class CurationError(ValueError):
    """A curated answer that cannot be saved (empty question, missing source...)."""


@dataclass
class Curated:
    id: int
    kind: str  # "passage" (a pinned corpus passage, quoted verbatim) or "written" (staff's own words)
    questions: list[str]  # the question first, then paraphrases or translations staff added
    text: str
    source_title: str = ""
    source_section: str = ""
    source_path: str = ""
    source_url: str | None = None
    source_text: str = ""
    turn_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def question(self) -> str:
        return self.questions[0] if self.questions else ""

    def source(self) -> Source:
        return Source(self.source_title, self.source_section, self.source_text or self.text,
                      self.source_path, 1.0, self.source_url, -1)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Match:
    entry: Curated
    question: str  # the stored question that matched
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class _Snapshot:
    """What `match` reads: replaced as a whole after each change, so readers need no lock."""

    entries: dict[int, Curated]
    owners: list[tuple[int, str]]  # row -> (curated id, stored question)
    kinds: np.ndarray  # row -> answer_kind of the stored question
    matrices: dict[str, np.ndarray]  # encoder name -> rows of unit vectors


def source_fields(source: Source | dict) -> dict[str, Any]:
    """A Source (or the log's / API's dict form of one) -> the stored source columns."""
    data = asdict(source) if isinstance(source, Source) else dict(source)
    return {
        "source_title": str(data.get("title") or ""),
        "source_section": str(data.get("section") or ""),
        "source_path": str(data.get("path") or data.get("document") or ""),
        "source_url": data.get("url") or None,
        "source_text": str(data.get("text") or ""),
    }


class CuratedAnswers:
    """The curated answers of one data folder; set `bot.curated = CuratedAnswers(data_dir, bot.encoders)`."""

    def __init__(self, data_dir: str | os.PathLike, encoders: list) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.encoders = list(encoders)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a saved fix must survive a crash
        self._db.executescript(SCHEMA)
        self._db.commit()
        self._snapshot = _Snapshot({}, [], np.array([], dtype=object), {})
        with self._lock:
            self._refresh()

    # ------------------------------------------------------------ the hook core.ask calls

    def match(self, query_vectors: dict[str, np.ndarray], question: str, language: str) -> Reply | None:
        found = self.find(query_vectors, question, language)
        return self.reply(found.entry, question, language) if found else None

    def find(self, query_vectors: dict[str, np.ndarray], question: str, language: str) -> Match | None:
        """The best curated answer for the question, when one is close enough."""
        snapshot = self._snapshot
        if not snapshot.owners:
            return None
        scores = {name: snapshot.matrices[name] @ np.asarray(vector, dtype=np.float32)
                  for name, vector in (query_vectors or {}).items() if name in snapshot.matrices}
        if language == "en" and "minilm" in scores:
            key = scores["minilm"]
            passing = key >= ENGLISH_THRESHOLD
            if "e5" in scores:
                passing &= scores["e5"] >= ENGLISH_E5_GUARD
        elif "e5" in scores:
            key = scores["e5"]
            passing = key >= OTHER_THRESHOLD
        else:
            return None
        passing &= snapshot.kinds == answer_kind(question)
        if not passing.any():
            return None
        row = int(np.argmax(np.where(passing, key, -np.inf)))
        curated_id, stored = snapshot.owners[row]
        return Match(snapshot.entries[curated_id], stored,
                     {name: round(float(values[row]), 4) for name, values in scores.items()})

    def reply(self, entry: Curated, question: str, language: str) -> Reply:
        checked = in_language(CHECKED_BY_STAFF, language)
        body = escape_markdown(" ".join(entry.text.split()))
        body = f"“{body}”" if entry.kind == "passage" else body
        return Reply(True, f"{body}\n\n_{checked}_", [entry.source()], language, [], question,
                     Trace(curated=entry.id), ReplyKind.CURATED)

    # ------------------------------------------------------------ staff actions

    def pin(self, question: str | list[str], source: Source | dict, turn_id: str | None = None) -> Curated:
        """Pin a corpus passage (quoted verbatim) as the answer to a question."""
        fields = source_fields(source)
        if not fields["source_text"].strip():
            raise CurationError("The pinned passage has no text.")
        return self._insert("passage", question, fields["source_text"], fields, turn_id)

    def write(self, question: str | list[str], text: str, source: Source | dict,
              turn_id: str | None = None) -> Curated:
        """A short answer in staff's own words, with the source it rests on."""
        fields = source_fields(source)
        if not (fields["source_path"] or fields["source_title"] or fields["source_url"]):
            raise CurationError("A written answer needs its source.")
        return self._insert("written", question, text, fields, turn_id)

    def update(self, curated_id: int, *, questions: str | list[str] | None = None, text: str | None = None,
               source: Source | dict | None = None) -> Curated:
        """Edit the questions, the text (written answers only: a pinned quote stays verbatim) or the source."""
        entry = self.get(curated_id)
        if entry is None:
            raise CurationError(f"No curated answer #{curated_id}.")
        changes: dict[str, Any] = {}
        if questions is not None:
            changes["questions"] = json.dumps(_questions(questions), ensure_ascii=False)
        if text is not None and entry.kind == "written":
            changes["text"] = _answer_text(text)
        if source is not None:
            changes.update(source_fields(source))
            if entry.kind == "passage":
                changes["text"] = _answer_text(changes["source_text"])
        if not changes:
            return entry
        changes["updated_at"] = time.time()
        with self._lock:
            columns = ", ".join(f"{name} = ?" for name in changes)
            self._db.execute(f"UPDATE curated SET {columns} WHERE id = ?", [*changes.values(), int(curated_id)])
            self._db.commit()
            self._refresh()
        return self.get(curated_id)  # type: ignore[return-value]

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

    # ------------------------------------------------------------ storage

    def _insert(self, kind: str, questions: str | list[str], text: str, fields: dict,
                turn_id: str | None) -> Curated:
        now = time.time()
        row = {"kind": kind, "questions": json.dumps(_questions(questions), ensure_ascii=False),
               "text": _answer_text(text), **fields, "turn_id": turn_id, "created_at": now, "updated_at": now}
        with self._lock:
            cursor = self._db.execute(
                f"INSERT INTO curated ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
            self._db.commit()
            self._refresh()
        return self.get(cursor.lastrowid)  # type: ignore[arg-type,return-value]

    def _refresh(self) -> None:
        """Reload the entries and (re)build the matrices; encode only questions not cached. Caller holds the lock."""
        self._db.row_factory = sqlite3.Row
        try:
            rows = self._db.execute("SELECT * FROM curated").fetchall()
        finally:
            self._db.row_factory = None
        entries = {}
        for row in rows:
            data = dict(row)
            data["questions"] = json.loads(data["questions"])
            entries[data["id"]] = Curated(**data)
        owners = [(entry.id, question) for entry in entries.values() for question in entry.questions]
        matrices = {encoder.name: self._vectors(encoder, [question for _, question in owners])
                    for encoder in self.encoders}
        kinds = np.array([answer_kind(question) for _, question in owners], dtype=object)
        self._snapshot = _Snapshot(entries, owners, kinds, matrices)

    def _vectors(self, encoder: Any, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        for position, text in enumerate(texts):
            key = hashlib.sha1(f"{encoder.model_id}\n{text}".encode()).hexdigest()
            found = self._db.execute("SELECT vector FROM vectors WHERE key = ?", (key,)).fetchone()
            if found and len(found[0]) == encoder.dim * 4:
                rows[position] = np.frombuffer(found[0], dtype=np.float32)
                continue
            vector = np.asarray(encoder.encode_query(text), dtype=np.float32).reshape(-1)
            self._db.execute("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", (key, vector.tobytes()))
            rows[position] = vector
        self._db.commit()
        return rows


def _folded(text: str) -> str:
    """Case, accents, punctuation and spacing ignored: "AVSF founded?" == "avsf  founded"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"[^\W_]+", plain))


def _questions(questions: str | list[str]) -> list[str]:
    """One question per line (or a list); blanks and repeats dropped; at least one."""
    items = questions.splitlines() if isinstance(questions, str) else list(questions)
    cleaned, seen = [], set()
    for item in items:
        text = " ".join(str(item).split())[:MAX_QUESTION_CHARS]
        if text and _folded(text) not in seen and any(char.isalnum() for char in text):
            seen.add(_folded(text))
            cleaned.append(text)
    if not cleaned:
        raise CurationError("A curated answer needs a question.")
    return cleaned


def _answer_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CurationError("The answer is empty.")
    if len(text) > MAX_ANSWER_CHARS:
        raise CurationError(f"The answer is too long ({len(text)} characters; at most {MAX_ANSWER_CHARS}).")
    return text
