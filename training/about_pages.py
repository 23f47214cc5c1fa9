"""Visitor questions over short "about" pages of fictional organisations -> reader pairs.

The union's texts are not encyclopedia pages: a few short sections under headings ("Our partners >
AVSF"), full of counts, years, regions and partner names, and visitors ask many close "how many" and
"which" questions they do not answer. `training/about_pages/` holds pages written that way for
invented organisations (cooperatives, producer groups, NGOs, federations; never Mongolia, cashmere or
the union's partners), each with 24 visitor questions: 12 answered by one sentence of a section
(`expect`, verbatim) and 12 on-topic ones the page does not answer (docs/reader.md, "About pages").
`held_out.jsonl` is never trained on: `bench/reader_visitors.py --about` measures on it; neither is
`calibration.jsonl`, where `calibrate_reader.py --about-pages` places the decline thresholds.
`more/` holds 48 more training pages, measured and not kept in the served reader's pass.
`training/about_pages_mn/` and `training/about_pages_fr/` hold the training pages with their questions as
Mongolian and French visitors ask them (each with its English original, `english`), and the
calibration pages' in Mongolian: measured in the multilingual reader's pass, not served, not read by
`make reader` (docs/reader.md, twenty-eighth session).

Each page is turned into a Markdown document and split by the assistant's own chunking, so each
sentence is read in the context it has at run time (heading path, the sentence it leans on); the
questions then give pairs as `visitor_questions` makes them.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import load_document
from assistant.models.embedding import Encoder
from assistant.models.lexical import tokenize
from assistant.pipeline import Assistant
from training.reader_data import Article, Pair, Sentence
from training.visitor_questions import pairs_over

FOLDER = Path(__file__).resolve().parent / "about_pages"
HELD_OUT = FOLDER / "held_out.jsonl"
CALIBRATION = FOLDER / "calibration.jsonl"


def load_pages(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def page_key(page: dict) -> str:
    return f"{page['organisation']}: {page['title']}"


def page_markdown(page: dict) -> str:
    """The page as a site's Markdown document: its title, then each section under its heading."""
    parts = [f"---\ntitle: {page['title']}\n---\n# {page['title']}"]
    for section in page["sections"]:
        if section["heading"]:
            parts.append(f"## {section['heading']}")
        parts.append(section["text"].strip())
    return "\n\n".join(parts) + "\n"


def write_corpus(pages: list[dict], folder: Path) -> None:
    """One Markdown file per page, as a site's corpus has them."""
    for number, page in enumerate(pages):
        (folder / f"page-{number:02d}.md").write_text(page_markdown(page), encoding="utf-8")


def each_page_as_a_site(pages: list[dict], encoders: list[Encoder]) -> Iterator[tuple[dict, Assistant]]:
    """Each page with the assistant opened over it alone: one organisation's site, as the union's
    corpus is, where a visitor's "you" names that organisation (one corpus of all the pages would
    leave "how many members do you have?" without its organisation). One assistant is rebuilt
    page after page: a new index folder per page would encode the language-centering references anew."""
    with tempfile.TemporaryDirectory(prefix="about-site-") as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        bot = None
        for page in pages:
            write_corpus([page], corpus)  # the previous page's file, replaced
            if bot is None:
                bot = Assistant.open(corpus, Path(folder) / "index", encoders=encoders)
            else:
                bot.rebuild()
            yield page, bot


def section_path(page: dict, section: dict) -> str:
    return f"{page['title']} > {section['heading']}" if section["heading"] else page["title"]


def page_article(page: dict, folder: Path) -> Article:
    """The page's sections as paragraphs of sentences, each in its run-time context."""
    path = folder / "page.md"
    path.write_text(page_markdown(page), encoding="utf-8")
    by_section: dict[str, list[Sentence]] = {}
    for chunk in chunk_document(load_document(path, "page.md")):
        by_section.setdefault(chunk.section, []).extend(
            Sentence(chunk.sentence_context(i), s.text, frozenset(tokenize(s.text)))
            for i, s in enumerate(chunk.sentences))
    return Article(page_key(page), [by_section.get(section_path(page, s), []) for s in page["sections"]], [])


def articles_and_lines(pages: list[dict]) -> tuple[dict[str, Article], list[dict]]:
    """The pages as articles, and their questions as `visitor_questions` lines."""
    with tempfile.TemporaryDirectory(prefix="about-page-") as folder:
        articles = {page_key(page): page_article(page, Path(folder)) for page in pages}
    lines = [{"article": page_key(page), "question": q["question"], "category": q["category"],
              "paragraph": q.get("section", -1), "expect": q["expect"],
              **({"english": q["english"]} if "english" in q else {})}  # a translation's original
             for page in pages for q in page["questions"]]
    return articles, lines


def about_pairs(paths: list[Path], seed: int) -> list[Pair]:
    articles, lines = articles_and_lines(load_pages(paths))
    return pairs_over(articles, lines, seed)
