"""XQuAD without answers: does the assistant decline when the topic is there but the answer is not?

The corpus is XQuAD's English paragraphs without one paragraph per article (the middle one),
so each article keeps its topic and names (SQuAD 2.0 style). Questions on the removed
paragraphs must be declined; the other questions must keep their answer.

The project (`Assistant.ask`) with the reader's decline off (`reader_declines=False`), then as it
serves (an English answer also needs the reader's best evidence at its calibrated threshold), and
with that threshold moved (the same questions asked again). Printed per row: unanswerable
declined, answerable gold (the reply holds an English gold answer, quoting at most 70 words),
answerable declined, and the quotes given as "not sure" (the texts' closest passage, not the
answer): the unanswerable questions quoted as sure, and the answerable ones quoted as not sure.

    .venv/bin/python bench/xquad_noans.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from common import load_xquad, print_progress, write_markdown

from assistant.answer.quote import quoted_part
from assistant.models.embedding import load_encoders
from assistant.pipeline import Assistant
from assistant.text import plain_text
from assistant.types import ReplyKind

DEFAULT_INDEX_DIR = Path(tempfile.gettempdir()) / "cashmere-xquad-noans-bench" / "index"
MAX_WORDS = 70
TARGETS = "targets (issue 16): unanswerable declined >= 0.75, answerable gold >= 0.85, answerable declined <= 0.05"
CURVE_OFFSETS = (-1.0, -0.5, 0.5, 1.0)


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


def quoted(bot: Assistant, question: str) -> tuple[str | None, bool]:
    """The project's quote, or None when it declines; and whether it was given as "not sure"."""
    reply = bot.ask(question)
    return (quoted_part(plain_text(reply.text)) if reply.answered else None), reply.kind == ReplyKind.UNSURE


def holds(text: str | None, answers: list[str]) -> bool:
    return text is not None and len(text.split()) <= MAX_WORDS and any(a.lower() in text.lower() for a in answers)


def row(bot: Assistant, name: str, answerable: list[tuple[str, list[str]]], unanswerable: list[str]) -> str:
    replies = [(*quoted(bot, question), answers) for question, answers in answerable]
    gold = statistics.fmean(holds(text, answers) for text, _, answers in replies)
    declined = statistics.fmean(text is None for text, _, _ in replies)
    unsure = statistics.fmean(is_unsure for _, is_unsure, _ in replies)
    refusals = [quoted(bot, question) for question in unanswerable]
    refused = statistics.fmean(text is None for text, _ in refusals)
    quoted_as_sure = statistics.fmean(text is not None and not is_unsure for text, is_unsure in refusals)
    threshold = f"{bot.reader.threshold:>10.3f}" if bot.reader_declines else f"{'-':>10}"
    return (f"{name:<26} {threshold} {refused:>22.3f} {gold:>16.3f} {declined:>20.3f} {quoted_as_sure:>18.3f} "
            f"{unsure:>16.3f}")


def main() -> None:
    articles = load_xquad("en")
    with tempfile.TemporaryDirectory(prefix="xquad-noans-") as corpus:
        answerable, unanswerable = write_corpus(articles, Path(corpus))
        bot = Assistant.open(corpus, DEFAULT_INDEX_DIR, encoders=load_encoders(), progress=print_progress)
    print(f"{len(answerable)} answerable and {len(unanswerable)} unanswerable questions", file=sys.stderr)
    print(f"{'system':<26} {'threshold':>10} {'unanswerable declined':>22} {'answerable gold':>16} "
          f"{'answerable declined':>20} {'unanswerable sure':>18} {'answerable unsure':>16}", flush=True)
    bot.reader_declines = False
    print(row(bot, "reader's decline off", answerable, unanswerable), flush=True)
    bot.reader_declines = True
    calibration = dict(bot.reader.calibration)
    print(row(bot, "project (as served)", answerable, unanswerable), flush=True)
    for offset in CURVE_OFFSETS:
        bot.reader.calibration = {**calibration, "threshold": calibration["threshold"] + offset}
        print(row(bot, "reader declines, moved", answerable, unanswerable), flush=True)
    bot.reader.calibration = calibration
    print(TARGETS)


if __name__ == "__main__":
    main()
