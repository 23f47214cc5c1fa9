"""XQuAD without answers: does the assistant decline when the topic is there but the answer is not?

The corpus is XQuAD's English paragraphs without one paragraph per article (the middle one),
so each article keeps its topic and names (SQuAD 2.0 style). Questions on the removed
paragraphs must be declined; the other questions must keep their answer.

Two systems, over the same index: the project (`Assistant.ask`), and the reader's path
(`assistant.reading.read_english`, not serving yet), which declines below its calibrated
threshold; for the reader, the trade-off at a few other thresholds too. Printed per row:
unanswerable declined, answerable gold (the reply holds an English gold answer, quoting at
most 70 words) and answerable declined.

    .venv/bin/python bench/xquad_noans.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from common import load_xquad, print_progress, write_markdown

from assistant.answer import plain_text, quote, quoted_part
from assistant.core import Assistant
from assistant.embedding import load_encoders
from assistant.reader import Reader
from assistant.reading import read_english

DEFAULT_INDEX_DIR = Path(tempfile.gettempdir()) / "cashmere-xquad-noans-bench" / "index"
MAX_WORDS = 70
TARGETS = "targets (issue 16): unanswerable declined >= 0.75, answerable gold >= 0.85, answerable declined <= 0.05"
CURVE_OFFSETS = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)

Scored = tuple[float, str, list[str]]  # (evidence, what would be quoted, gold answers)


def write_corpus(articles: list[dict], folder: Path) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Corpus files; (question, gold answers) on kept paragraphs, questions on removed ones."""
    answerable, unanswerable = [], []
    for a, article in enumerate(articles):
        heading = article["title"].replace("_", " ")
        removed = len(article["paragraphs"]) // 2
        for p, paragraph in enumerate(article["paragraphs"]):
            questions = [(qa["question"], [answer["text"] for answer in qa["answers"]]) for qa in paragraph["qas"]]
            if p == removed:
                unanswerable += [question for question, _ in questions]
                continue
            title = f"{heading}, paragraph {p + 1}"
            write_markdown(folder / f"{a:02d}-{p:02d}.md", title, heading, paragraph["context"])
            answerable += questions
    return answerable, unanswerable


def project(bot: Assistant, question: str) -> tuple[float, str]:
    """1 when the project answers, 0 when it declines; its quote."""
    reply = bot.ask(question)
    return float(reply.answered), quoted_part(plain_text(reply.text)) if reply.answered else ""


def reader_path(bot: Assistant, reader: Reader, question: str) -> tuple[float, str]:
    """The reader's best combined score and the quote it would make."""
    _, candidates = read_english(bot.index, bot.retriever, reader, question)
    if not candidates:
        return -1e9, ""
    return candidates[0].score, " ".join(quote(bot.index, candidates[:1], question))


def holds(text: str, answers: list[str]) -> bool:
    return len(text.split()) <= MAX_WORDS and any(answer.lower() in text.lower() for answer in answers)


def row(name: str, threshold: float, answerable: list[Scored], unanswerable: list[float]) -> str:
    gold = statistics.fmean(score >= threshold and holds(text, answers) for score, text, answers in answerable)
    declined = statistics.fmean(score < threshold for score, _, _ in answerable)
    refused = statistics.fmean(score < threshold for score in unanswerable)
    return f"{name:<26} {threshold:>10.3f} {refused:>22.3f} {gold:>16.3f} {declined:>20.3f}"


def main() -> None:
    articles = load_xquad("en")
    reader = Reader()
    runs: dict[str, tuple[list[Scored], list[float]]] = {"project": ([], []), "reader": ([], [])}
    with tempfile.TemporaryDirectory(prefix="xquad-noans-") as corpus:
        answerable, unanswerable = write_corpus(articles, Path(corpus))
        bot = Assistant.open(corpus, DEFAULT_INDEX_DIR, encoders=load_encoders(), progress=print_progress)
        print(f"{len(answerable)} answerable and {len(unanswerable)} unanswerable questions", file=sys.stderr)
        for name, system in (("project", lambda q: project(bot, q)), ("reader", lambda q: reader_path(bot, reader, q))):
            for question, answers in answerable:
                runs[name][0].append((*system(question), answers))
            runs[name][1].extend(system(question)[0] for question in unanswerable)
    print(f"{'system':<26} {'threshold':>10} {'unanswerable declined':>22} {'answerable gold':>16} "
          f"{'answerable declined':>20}")
    print(row("project (rules)", 0.5, *runs["project"]))
    print(row("reader, calibrated", reader.threshold, *runs["reader"]))
    for offset in CURVE_OFFSETS:
        print(row("reader", reader.threshold + offset, *runs["reader"]))
    print(TARGETS)


if __name__ == "__main__":
    main()
