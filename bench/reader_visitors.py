"""The reader on visitor-style questions it never trained on: does it find the answer, and know when there is none?

`training/visitor_questions/held_out.jsonl` holds questions written as the reader's visitor-style
training questions are (casual, typos, yes/no, "you"/"your", and on-topic ones the page does not
answer), over 8 SQuAD training articles whose pages no training question was written on. Each
question is read against every sentence of its page (the article's first paragraphs), as the
reader reads them at run time; the best score is the page's. Figures per reader folder:
top-1 (the best sentence holds the answer), the "no answer" ROC AUC (best score of an answerable
question against one the page does not answer), and the unanswerable share declined at the
threshold that declines 5% and 10% of the answerable ones.

    .venv/bin/python bench/reader_visitors.py                       # the served reader
    .venv/bin/python bench/reader_visitors.py models /tmp/refined   # readers side by side
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from common import ROOT

from assistant.models.reader import Reader
from training.reader_data import Article
from training.reader_metrics import roc_auc
from training.visitor_questions import DECLINE, FOLDER, load_lines, pages

COLUMNS = ("reader", "answerable", "top-1", "unanswerable", "no-answer AUC", "declined at 5%", "at 10%")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "models"],
                        help="folders holding a reader.onnx with its reader.json")
    parser.add_argument("--questions", type=Path, default=FOLDER / "held_out.jsonl")
    args = parser.parse_args()
    lines = load_lines([args.questions])
    articles = pages({line["article"] for line in lines})
    rows = [[str(folder), *figures(Reader(folder), lines, articles)] for folder in args.folders]
    width = max(len(COLUMNS[0]), *(len(row[0]) for row in rows))
    print(f"{COLUMNS[0]:<{width}}  " + "  ".join(COLUMNS[1:]))
    for row in rows:
        print(f"{row[0]:<{width}}  " + "  ".join(f"{cell:>{len(c)}}" for cell, c in zip(row[1:], COLUMNS[1:])))


if __name__ == "__main__":
    main()
