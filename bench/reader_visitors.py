"""The reader on visitor-style questions it never trained on: does it find the answer, and know when there is none?

`training/visitor_questions/held_out.jsonl` holds questions written as the reader's visitor-style
training questions are (casual, typos, yes/no, "you"/"your", and on-topic ones the page does not
answer), over 8 SQuAD training articles whose pages no training question was written on. Each
question is read against every sentence of its page (the article's first paragraphs), as the
reader reads them at run time; the best score is the page's. Figures per reader folder:
top-1 (the best sentence holds the answer), the "no answer" ROC AUC (best score of an answerable
question against one the page does not answer), and the unanswerable share declined at the
threshold that declines 5% and 10% of the answerable ones.

`--about` measures on `training/about_pages/held_out.jsonl` instead: short "about" pages of invented
organisations, written like the union's, with their visitor questions (each page a site of its own).

`--pipeline` also asks each question as the assistant does, with the pages as its corpus (one file
per paragraph, as `training/calibrate_reader.py` writes them), and weighs the evidence its decline
weighs (`reading.evidence_of_an_answer`), so the figures include retrieval and each reader's calibration.

    .venv/bin/python bench/reader_visitors.py                       # the served reader
    .venv/bin/python bench/reader_visitors.py models /tmp/refined   # readers side by side
    .venv/bin/python bench/reader_visitors.py --pipeline models /tmp/refined
    .venv/bin/python bench/reader_visitors.py --about --pipeline models /tmp/refined
"""
from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from common import ROOT, write_markdown

from assistant.answer.candidates import search_english
from assistant.answer.reading import evidence_of_an_answer
from assistant.models.embedding import load_encoders
from assistant.models.reader import Reader
from assistant.pipeline import Assistant
from training.about_pages import HELD_OUT, articles_and_lines, each_page_as_a_site, load_pages, page_key
from training.reader_data import Article
from training.reader_metrics import roc_auc
from training.visitor_questions import DECLINE, FOLDER, load_lines, pages

COLUMNS = ("reader", "answerable", "top-1", "unanswerable", "no-answer AUC", "declined at 5%", "at 10%")
PIPELINE_COLUMNS = ("reader", "unanswerable declined at 5%", "at 10%", "at 20%",
                    "as served: answerable declined", "unanswerable declined", "declined or not sure")


def figures(reader: Reader, lines: list[dict], articles: dict[str, Article]) -> list[str]:
    top1, answerable, unanswerable = [], [], []
    for line in lines:
        sentences = [s for paragraph in articles[line["article"]].paragraphs for s in paragraph]
        readings = reader.read(line["question"], [s.context for s in sentences], [s.text for s in sentences])
        scores = np.array([r.relevance for r in readings])
        if line["expect"] == DECLINE:
            unanswerable.append(scores.max())
        else:
            answerable.append(scores.max())
            top1.append(line["expect"] in sentences[int(scores.argmax())].text)
    yes, no = np.array(answerable), np.array(unanswerable)
    declined = [float(np.mean(no < np.quantile(yes, share))) for share in (0.05, 0.10)]
    return [str(len(yes)), f"{np.mean(top1):.3f}", str(len(no)), f"{roc_auc(yes, no):.3f}",
            f"{declined[0]:.3f}", f"{declined[1]:.3f}"]


def pipeline_rows(folders: list[Path], asked: Iterator[tuple[Assistant, dict]]) -> list[list[str]]:
    """Each question searched and read as the assistant does; the evidence its decline weighs, per reader."""
    readers = [Reader(folder) for folder in folders]
    best: list[list[float]] = [[] for _ in readers]
    unanswerable = []
    for bot, line in asked:
        _, candidates = search_english(bot.index, bot.retriever, line["question"])
        for reader, scores in zip(readers, best):
            scores.append(evidence_of_an_answer(reader, line["question"], candidates))
        unanswerable.append(line["expect"] == DECLINE)
    return [[str(folder), *served_figures(reader, np.array(scores), np.array(unanswerable))]
            for folder, reader, scores in zip(folders, readers, best)]


def served_figures(reader: Reader, best: np.ndarray, unanswerable: np.ndarray) -> list[str]:
    yes, no = best[~unanswerable], best[unanswerable]
    at_shares = [f"{np.mean(no < np.quantile(yes, share)):.3f}" for share in (0.05, 0.10, 0.20)]
    served = [np.mean(yes < reader.threshold), np.mean(no < reader.threshold), np.mean(no < reader.unsure_threshold)]
    return [*at_shares, *(f"{value:.3f}" for value in served)]


def squad_asked(lines: list[dict], articles: dict[str, Article]) -> Iterator[tuple[Assistant, dict]]:
    """The SQuAD pages as one corpus, one file per paragraph as `training/calibrate_reader.py` writes them."""
    with tempfile.TemporaryDirectory(prefix="reader-visitors-") as folder:
        for a, (title, article) in enumerate(sorted(articles.items())):
            for p, sentences in enumerate(article.paragraphs):
                write_markdown(Path(folder) / f"{a:02d}-{p:02d}.md", f"{title}, paragraph {p + 1}", title,
                               " ".join(s.text for s in sentences))
        bot = Assistant.open(folder, Path(folder) / "index", encoders=load_encoders())
        yield from ((bot, line) for line in lines)


def about_asked(pages: list[dict], lines: list[dict]) -> Iterator[tuple[Assistant, dict]]:
    """Each "about" page a site of its own, as the union's corpus is one organisation's."""
    for page, bot in each_page_as_a_site(pages, load_encoders()):
        yield from ((bot, line) for line in lines if line["article"] == page_key(page))


def print_table(columns: tuple[str, ...], rows: list[list[str]]) -> None:
    width = max(len(columns[0]), *(len(row[0]) for row in rows))
    print(f"{columns[0]:<{width}}  " + "  ".join(columns[1:]))
    for row in rows:
        print(f"{row[0]:<{width}}  " + "  ".join(f"{cell:>{len(c)}}" for cell, c in zip(row[1:], columns[1:])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "models"],
                        help="folders holding a reader.onnx with its reader.json")
    parser.add_argument("--questions", type=Path, default=None, help="a held-out file of questions")
    parser.add_argument("--about", action="store_true", help="the held-out \"about\" pages and their questions")
    parser.add_argument("--pipeline", action="store_true", help="also through the assistant's search and calibration")
    args = parser.parse_args()
    if args.about:
        about = load_pages([args.questions or HELD_OUT])
        articles, lines = articles_and_lines(about)
        asked = about_asked(about, lines)
    else:
        lines = load_lines([args.questions or FOLDER / "held_out.jsonl"])
        articles = pages({line["article"] for line in lines})
        asked = squad_asked(lines, articles)
    print_table(COLUMNS, [[str(folder), *figures(Reader(folder), lines, articles)] for folder in args.folders])
    if args.pipeline:
        print()
        print_table(PIPELINE_COLUMNS, pipeline_rows(args.folders, asked))


if __name__ == "__main__":
    main()
