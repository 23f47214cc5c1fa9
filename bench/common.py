"""Helpers shared by the benchmarks: the data sets (read in place), corpus writing, baselines, timing.

The data sets live in ../shared/benchmarks next to the project and are never copied
into it; corpora made from them are written to temporary folders.
"""
from __future__ import annotations

import ast
import csv
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.store import Index  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
XQUAD_DIR = BENCHMARKS / "xquad"
SCIFACT_ZIP = BENCHMARKS / "scifact" / "scifact.zip"
STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


# ---------------------------------------------------------------- data sets


def load_xquad(language: str) -> list[dict]:
    with open(XQUAD_DIR / f"xquad.{language}.json", encoding="utf-8") as handle:
        return json.load(handle)["data"]


@dataclass
class Abstract:
    doc_id: str
    title: str
    sentences: list[str]


@dataclass
class Claim:
    id: str
    text: str
    relevant: set[str]  # doc ids of the abstracts it cites (BEIR's SciFact test qrels)


def _scifact_rows(name: str) -> list[dict]:
    with zipfile.ZipFile(SCIFACT_ZIP) as archive, archive.open(name) as handle:
        return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


def load_scifact_abstracts() -> list[Abstract]:
    """The 5,183 abstracts; each abstract is stored as a numpy-style list of sentence strings."""
    return [Abstract(row["doc_id"], row["title"].strip(),
                     [ast.literal_eval(literal).strip() for literal in STRING_LITERAL.findall(row["abstract"])])
            for row in _scifact_rows("corpus_train.csv")]


def load_scifact_claims() -> list[Claim]:
    """The 300 validation claims (several rows per claim, one per evidence) with their cited abstracts."""
    claims: dict[str, Claim] = {}
    for row in _scifact_rows("claims_validation.csv"):
        claim = claims.setdefault(row["id"], Claim(row["id"], row["claim"].strip(), set()))
        claim.relevant.update(re.findall(r"\d+", row["cited_doc_ids"]))
    return list(claims.values())


def write_markdown(path: Path, title: str, heading: str, body: str) -> None:
    """One corpus document: front matter naming it, one `#` heading, the text."""
    path.write_text(f"---\ntitle: {title}\n---\n# {heading}\n\n{body}\n", encoding="utf-8")


# ---------------------------------------------------------------- baselines over the project's index


def distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def bm25_chunk_ranking(index: Index, question: str, depth: int) -> list[int]:
    """Chunk ids by BM25 alone, best first (only chunks sharing a word with the question)."""
    scores = index.bm25_chunks.scores(question)
    order = np.argsort(-scores, kind="stable")[:depth]
    return [int(i) for i in order if scores[i] > 0]


def minilm_chunk_ranking(index: Index, vector: np.ndarray, depth: int) -> list[int]:
    """Chunk ids by MiniLM cosine alone (the chunk FAISS index), best first."""
    faiss_index = index.dense["minilm"].faiss_index
    _, ids = faiss_index.search(vector.reshape(1, -1), min(depth, faiss_index.ntotal))
    return [int(i) for i in ids[0] if i >= 0]


# ---------------------------------------------------------------- reporting


def percentiles_ms(seconds: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    return float(np.percentile(seconds, 50) * 1000), float(np.percentile(seconds, 95) * 1000)


def print_progress(stage: str, done: int, total: int) -> None:
    """Index build progress on stderr, every ~640 texts."""
    if done == total or done % 640 == 0:
        print(f"  index: {stage} {done}/{total}", file=sys.stderr, flush=True)
