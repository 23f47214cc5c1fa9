"""Matching a question to the curated answers: a snapshot of their questions' vectors, and the thresholds.

`Assistant.ask` passes the rewritten question's unit vectors ({"minilm": ...,
"e5": ...}). Each curated answer keeps its question (plus any paraphrases or
translations staff add) and those questions' vectors, so the same question and
its close paraphrases get the staff's answer, marked "checked by staff", citing
its source.

Matching is the cosine of the rewritten question against each stored question,
and the question must ask for the same kind of answer (`query.kinds.answer_kind`,
from its question words in the five languages): embeddings alone put "Who founded
AVSF?" at 0.963 (MiniLM) from "When was AVSF founded?".
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.messages import CHECKED_BY_STAFF, in_language
from assistant.curation.entries import Curated
from assistant.query.glossary import SEED, Glossary
from assistant.query.kinds import answer_kind
from assistant.query.language import detect_language
from assistant.text import escape_markdown
from assistant.types import Reply, ReplyKind, Trace

if TYPE_CHECKING:
    from assistant.models.embedding import Encoder

ENGLISH_THRESHOLD = 0.88  # MiniLM cosine
ENGLISH_E5_GUARD = 0.90
OTHER_THRESHOLD = 0.965  # E5 cosine


@dataclass
class Match:
    entry: Curated
    question: str  # the stored question that matched
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """What `find` reads: replaced as a whole after each change, so readers need no lock."""

    entries: dict[int, Curated]
    glossary: Glossary  # the vocabulary the stored questions were encoded with
    owners: list[tuple[int, str]]  # row -> (curated id, stored question)
    kinds: np.ndarray  # row -> answer_kind of the stored question
    matrices: dict[str, np.ndarray]  # encoder name -> rows of unit vectors


EMPTY = Snapshot({}, SEED, [], np.array([], dtype=object), {})


def build_snapshot(entries: dict[int, Curated], encoders: Sequence[Encoder],
                   vectors: Callable[[Encoder, list[str]], np.ndarray], glossary: Glossary = SEED) -> Snapshot:
    """The entries with every stored question's kind and, per encoder, its vector (from `vectors`)."""
    owners = [(entry.id, question) for entry in entries.values() for question in entry.questions]
    questions = [question for _, question in owners]
    # encoded as a visitor's question is: with the glossary's words ("herders" adds "breeders"),
    # which would otherwise pull a staff paraphrase apart from the very same question asked
    searched = [glossary.with_english_terms(question, detect_language(question)) for question in questions]
    matrices = {encoder.name: vectors(encoder, searched) for encoder in encoders}
    kinds = np.array([answer_kind(question) for question in questions], dtype=object)
    return Snapshot(entries, glossary, owners, kinds, matrices)


def find(snapshot: Snapshot, query_vectors: dict[str, np.ndarray], question: str, language: str) -> Match | None:
    """The best curated answer for the question, when one is close enough."""
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


def staff_reply(entry: Curated, question: str, language: str) -> Reply:
    """The curated answer as the chat shows it: quoted when pinned, marked as checked by staff."""
    checked = in_language(CHECKED_BY_STAFF, language)
    body = escape_markdown(" ".join(entry.text.split()))
    body = f"“{body}”" if entry.kind == "passage" else body
    return Reply(True, f"{body}\n\n_{checked}_", [entry.source()], language, [], question,
                 Trace(curated=entry.id), ReplyKind.CURATED)
