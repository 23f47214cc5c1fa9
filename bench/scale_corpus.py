"""The scale benchmark's corpora (`bench/scale.py`): XQuAD's English paragraphs and SciFact's
abstracts, one Markdown file each, repeated with variation past the ~12k chunks they give (the
sentences rotated, the heading numbered), so that every chunk is new text to encode. Written under
the system temp folder, never into the repository, and kept for re-runs.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from common import load_scifact_abstracts, load_xquad, write_markdown

from assistant.ingest.chunking import chunk_document, split_sentences
from assistant.ingest.documents import load_document

WORK_DIR = Path(tempfile.gettempdir()) / "cashmere-scale-bench"


def base_documents() -> list[tuple[str, list[str]]]:
    """(title, sentences) of every XQuAD English paragraph, then every SciFact abstract."""
    documents = []
    for article in load_xquad("en"):
        heading = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            sentences = [s.text for s in split_sentences(paragraph["context"])]
            documents.append((f"{heading}, paragraph {p + 1}", sentences))
    documents += [(abstract.title, abstract.sentences) for abstract in load_scifact_abstracts()]
    return documents


def variant(title: str, sentences: list[str], round_: int) -> tuple[str, str]:
    """Round 0 is the text as published; later rounds rotate the sentences and number the title.
    A body never starts with "#": a rotated sentence such as "### Mature Plaques ..." would
    otherwise make the whole paragraph a Markdown heading, and the document empty."""
    shift = round_ % len(sentences)
    body = " ".join(sentences[shift:] + sentences[:shift]).lstrip("# ")
    return (title if round_ == 0 else f"{title} ({round_ + 1})"), body


def make_corpus(size: int, folder: Path) -> int:
    """Write documents until they hold `size` chunks; return the chunk count."""
    documents = base_documents()
    chunks = written = 0
    while chunks < size:
        title, sentences = documents[written % len(documents)]
        title, body = variant(title, sentences, written // len(documents))
        path = folder / f"{written // 1000:03d}" / f"{written:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_markdown(path, title, title, body)
        chunks += len(chunk_document(load_document(path, path.relative_to(folder).as_posix())))
        written += 1
    return chunks


def prepared_corpus(size: int) -> Path:
    folder = WORK_DIR / str(size) / "corpus"
    marker = WORK_DIR / str(size) / "corpus.json"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        chunks = make_corpus(size, folder)
        marker.write_text(json.dumps({"chunks": chunks}))
    return folder
