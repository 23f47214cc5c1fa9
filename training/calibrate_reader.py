"""Calibrate the reader on held-out SQuAD articles, through the assistant's own pipeline.

The held-out articles of `train_reader` (never trained on) become a corpus, one Markdown file
per paragraph as in `bench/xquad.py`, with every fourth paragraph left out: questions on a
left-out paragraph have no answer in the corpus, though their topic is there. Each question is
searched and ranked as the assistant does (`core.search_english`), and the candidates the reader
reads there (`assistant.answer.reading.read`) give their features (`reading.features_of`). A logistic
regression learns from them whether a candidate holds the answer: its weights make the
evidence, and the decline threshold is the best evidence below which `DECLINED_ANSWERABLE` of
the answerable questions fall. Below the "unsure" threshold (`UNSURE_ANSWERABLE` of them), an
answer is quoted as the texts' closest passage, not as the answer. All go into `models/reader.json`.

    .venv/bin/python training/calibrate_reader.py      # `make reader` runs it after training
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import write_markdown  # noqa: E402

from assistant.answer.reading import FEATURES, features_of, read  # noqa: E402
from assistant.models.embedding import load_encoders  # noqa: E402
from assistant.models.reader import MODELS_DIR, SETTINGS_FILE, Reader  # noqa: E402
from assistant.pipeline import Assistant, search_english  # noqa: E402
from training.reader_data import load_articles, split, visitor_style  # noqa: E402
from training.train_reader import SEED  # noqa: E402

LEFT_OUT_EVERY = 4
# A sure "no": visitors' answerable questions score lower than SQuAD's (docs/reader.md)
DECLINED_ANSWERABLE = 0.005
# the rate issue 16 allows for declines: below it, a quote is shown as "not sure" (docs/reader.md)
UNSURE_ANSWERABLE = 0.05
RIDGE = 1e-3


def write_corpus(articles, folder: Path,
                 restyle: random.Random | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """The corpus files; (question, answer) pairs of kept paragraphs, questions of left-out ones,
    each put as a visitor types it (`visitor_style`) when `restyle` is given."""
    answerable, unanswerable = [], []
    for a, article in enumerate(articles):
        by_paragraph: dict[int, list] = {}
        for question in article.questions:
            text = visitor_style(question.text, restyle, article.title) if restyle else question.text
            by_paragraph.setdefault(question.paragraph, []).append((text, question.answer))
        for p, sentences in enumerate(article.paragraphs):
            questions = by_paragraph.get(p, [])
            if p % LEFT_OUT_EVERY == LEFT_OUT_EVERY // 2:
                unanswerable += [text for text, _ in questions]
                continue
            text = " ".join(s.text for s in sentences)
            write_markdown(folder / f"{a:02d}-{p:02d}.md", f"{article.title}, paragraph {p + 1}", article.title, text)
            answerable += questions
    return answerable, unanswerable


def features_and_labels(bot: Assistant, reader: Reader, question: str,
                        answer: str | None) -> tuple[np.ndarray, np.ndarray]:
    _, candidates = search_english(bot.index, bot.retriever, question)
    candidates = read(reader, question, candidates)
    rows = np.array([[f[name] for name in FEATURES] for f in features_of(candidates)])
    labels = np.array([answer is not None and answer in c.chunk.sentences[c.sentence].text for c in candidates])
    return rows, labels.astype(float)


def logistic_regression(x: np.ndarray, y: np.ndarray, steps: int = 50) -> np.ndarray:
    """Weights (bias last) by Newton's method, with a light ridge."""
    design = np.hstack([x, np.ones((len(x), 1))])
    weights = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + RIDGE * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + RIDGE * np.eye(len(weights))
        weights -= np.linalg.solve(hessian, gradient)
    return weights


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000, help="answerable and unanswerable questions, each")
    parser.add_argument("--held-out-articles", type=int, default=40, help="as in train_reader")
    parser.add_argument("--models", type=Path, default=MODELS_DIR)
    parser.add_argument("--declined-answerable", type=float, default=DECLINED_ANSWERABLE,
                        help="share of the held-out answerable questions the threshold declines")
    parser.add_argument("--unsure-answerable", type=float, default=UNSURE_ANSWERABLE,
                        help="share of the held-out answerable questions quoted as not sure (or declined)")
    parser.add_argument("--visitor-style", action="store_true",
                        help="put every held-out question as visitors type them (reader_data.visitor_style)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _, held_out = split(load_articles(), args.held_out_articles, SEED)
    reader = Reader(args.models)
    reader.calibration = {}  # the reader's own logit while the features are collected
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="reader-calibration-") as folder:
        answerable, unanswerable = write_corpus(held_out, Path(folder),
                                                 random.Random(SEED) if args.visitor_style else None)
        rng.shuffle(answerable)
        rng.shuffle(unanswerable)
        bot = Assistant.open(folder, Path(folder) / "index", encoders=load_encoders())
        cases = ([(q, a) for q, a in answerable[:args.questions]] + [(q, None) for q in unanswerable[:args.questions]])
        collected = [features_and_labels(bot, reader, q, a) for q, a in cases]
    x = np.vstack([rows for rows, _ in collected if len(rows)])
    y = np.concatenate([labels for rows, labels in collected if len(rows)])
    weights = logistic_regression(x, y)
    combined = [rows @ weights[:-1] + weights[-1] for rows, _ in collected]
    best = np.array([values.max() if len(values) else -1e9 for values in combined])
    has_answer = np.array([a is not None for _, a in cases])
    threshold = float(np.quantile(best[has_answer], args.declined_answerable))
    unsure = float(np.quantile(best[has_answer], args.unsure_answerable))
    chosen_right = [labels[int(np.argmax(values))] == 1
                    for (_, labels), values, (_, a) in zip(collected, combined, cases) if a is not None and len(values)]
    reader_right = [labels[int(np.argmax(rows[:, 0]))] == 1 for (rows, labels), (_, a) in zip(collected, cases)
                    if a is not None and len(rows)]
    ranking_right = [labels[0] == 1 for (rows, labels), (_, a) in zip(collected, cases) if a is not None and len(rows)]
    calibration = {
        "weights": {name: round(float(w), 5) for name, w in zip(FEATURES, weights[:-1])},
        "bias": round(float(weights[-1]), 5), "threshold": round(threshold, 5),
        "unsure_threshold": round(unsure, 5),
        "held_out": {"answerable": int(has_answer.sum()), "unanswerable": int((~has_answer).sum()),
                     "best_sentence_holds_answer": round(float(np.mean(chosen_right)), 4),
                     "reader_alone_holds_answer": round(float(np.mean(reader_right)), 4),
                     "ranking_first_holds_answer": round(float(np.mean(ranking_right)), 4),
                     "answerable_declined": round(float(np.mean(best[has_answer] < threshold)), 4),
                     "unanswerable_declined": round(float(np.mean(best[~has_answer] < threshold)), 4),
                     "unanswerable_declined_or_unsure": round(float(np.mean(best[~has_answer] < unsure)), 4)},
    }
    path = args.models / SETTINGS_FILE
    settings = json.loads(path.read_text())
    settings["calibration"] = calibration
    path.write_text(json.dumps(settings, indent=1) + "\n")
    print(json.dumps(calibration, indent=1))
    for share in (0.005, 0.01, 0.02, 0.05, 0.1):
        print(f"answerable below the evidence {np.quantile(best[has_answer], share):.3f}: {share}")


if __name__ == "__main__":
    main()
