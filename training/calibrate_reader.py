"""Calibrate the reader on held-out SQuAD articles, through the assistant's own pipeline.

The held-out articles of `train_reader` (never trained on) become a corpus, one Markdown file
per paragraph as in `bench/xquad.py`, with every fourth paragraph left out: questions on a
left-out paragraph have no answer in the corpus, though their topic is there. Each question is
searched and ranked as the assistant does (`candidates.search_english`), and the candidates the reader
reads there (`assistant.answer.reading.read`) give their features (`reading.features_of`). A logistic
regression learns from them whether a candidate holds the answer: its weights make the
evidence, and the decline threshold is the best evidence below which `DECLINED_ANSWERABLE` of
the answerable questions fall. Below the "unsure" threshold (`UNSURE_ANSWERABLE` of them), an
answer is quoted as the texts' closest passage, not as the answer. All go into `models/reader.json`.

With `--about-pages`, written "about" pages kept for calibration (`training/about_pages`: short
pages like the union's, visitor questions, half of them unanswerable) are asked the same way, each
page as a site of its own: their questions join the fit, and the thresholds are placed on their
answerable questions instead (`ABOUT_DECLINED_ANSWERABLE` and `ABOUT_UNSURE_ANSWERABLE` of them):
visitors' questions, so no allowance for SQuAD's. No weight of the fit is negative
(`logistic_regression`).

    .venv/bin/python training/calibrate_reader.py      # `make reader` runs it after training
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import write_markdown  # noqa: E402

from assistant.answer.candidates import search_english  # noqa: E402
from assistant.answer.reading import FEATURES, features_of, read  # noqa: E402
from assistant.models.embedding import load_encoders  # noqa: E402
from assistant.models.reader import MODELS_DIR, SETTINGS_FILE, Reader  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from training.about_pages import each_page_as_a_site, load_pages  # noqa: E402
from training.reader_data import load_articles, split  # noqa: E402
from training.train_reader import SEED  # noqa: E402
from training.visitor_questions import DECLINE  # noqa: E402
from training.visitor_style import visitor_style  # noqa: E402

LEFT_OUT_EVERY = 4
# A sure "no": visitors' answerable questions score lower than SQuAD's (docs/reader.md)
DECLINED_ANSWERABLE = 0.005
# the rate issue 16 allows for declines: below it, a quote is shown as "not sure" (docs/reader.md)
UNSURE_ANSWERABLE = 0.05
# On written "about" pages, visitor-style like the union's, the threshold may decline what issue 16
# allows (3% of the answerable questions), less a margin for a calibration set of a few hundred
ABOUT_DECLINED_ANSWERABLE = 0.02
# and the "not sure" hedge keeps the share of right answers the SQuAD-placed one hedged on the
# union's visitor batches (94 of 464 on 2026-12-05): placed on visitors' questions, not SQuAD's
ABOUT_UNSURE_ANSWERABLE = 0.2
RIDGE = 1e-3
Case = tuple[str, str | None]  # a question and its answer (None: the corpus does not answer it)
Collected = list[tuple[np.ndarray, np.ndarray]]  # per question: its candidates' features, and which answer


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
    """Weights (bias last) by Newton's method, with a light ridge.

    No feature may count against the answer: every one grows as a sentence gets closer to the
    question, and a negative weight would give a question close to nothing (gibberish) evidence.
    A feature the fit weighs negatively is left out (weight 0) and the rest refitted."""
    kept = list(range(x.shape[1]))
    while True:
        design = np.hstack([x[:, kept], np.ones((len(x), 1))])
        fitted = np.zeros(design.shape[1])
        for _ in range(steps):
            p = 1 / (1 + np.exp(-design @ fitted))
            gradient = design.T @ (p - y) + RIDGE * fitted
            hessian = (design * (p * (1 - p))[:, None]).T @ design + RIDGE * np.eye(len(fitted))
            fitted -= np.linalg.solve(hessian, gradient)
        if (fitted[:-1] >= 0).all():
            break
        kept.pop(int(np.argmin(fitted[:-1])))
    weights = np.zeros(x.shape[1] + 1)
    weights[kept + [x.shape[1]]] = fitted
    return weights


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000, help="answerable and unanswerable questions, each")
    parser.add_argument("--held-out-articles", type=int, default=40, help="as in train_reader")
    parser.add_argument("--models", type=Path, default=MODELS_DIR)
    parser.add_argument("--about-pages", type=Path, nargs="*", default=[],
                        help="written \"about\" pages kept for calibration: their questions join the weights' "
                             "fit and place the thresholds (`training/about_pages`)")
    parser.add_argument("--declined-answerable", type=float, default=None,
                        help="share of the answerable questions the threshold declines "
                             f"(default {DECLINED_ANSWERABLE} of SQuAD's, {ABOUT_DECLINED_ANSWERABLE} of the pages')")
    parser.add_argument("--unsure-answerable", type=float, default=None,
                        help="share of the answerable questions quoted as not sure (or declined) "
                             f"(default {UNSURE_ANSWERABLE} of SQuAD's, {ABOUT_UNSURE_ANSWERABLE} of the pages')")
    parser.add_argument("--visitor-style", action="store_true",
                        help="put every held-out question as visitors type them (visitor_style)")
    return parser.parse_args(argv)


def ask_all(folder: Path, reader: Reader, cases: list[Case]) -> Collected:
    """Each question searched over the corpus in `folder` as the assistant does, and its candidates' features."""
    bot = Assistant.open(folder, folder / "index", encoders=load_encoders())
    return [features_and_labels(bot, reader, q, a) for q, a in cases]


def squad_cases(args: argparse.Namespace, reader: Reader) -> tuple[list[Case], Collected]:
    _, held_out = split(load_articles(), args.held_out_articles, SEED)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="reader-calibration-") as folder:
        answerable, unanswerable = write_corpus(held_out, Path(folder),
                                                 random.Random(SEED) if args.visitor_style else None)
        rng.shuffle(answerable)
        rng.shuffle(unanswerable)
        cases = ([(q, a) for q, a in answerable[:args.questions]] + [(q, None) for q in unanswerable[:args.questions]])
        return cases, ask_all(Path(folder), reader, cases)


def about_cases(paths: list[Path], reader: Reader) -> tuple[list[Case], Collected]:
    """The pages' questions, each asked over its own page as a site of its own."""
    cases: list[Case] = []
    collected: Collected = []
    for page, bot in each_page_as_a_site(load_pages(paths), load_encoders()):
        asked = [(q["question"], None if q["expect"] == DECLINE else q["expect"]) for q in page["questions"]]
        cases += asked
        collected += [features_and_labels(bot, reader, q, a) for q, a in asked]
    return cases, collected


def best_evidence(collected: Collected, weights: np.ndarray) -> np.ndarray:
    return np.array([(rows @ weights[:-1] + weights[-1]).max() if len(rows) else -1e9 for rows, _ in collected])


def held_out_figures(cases: list[Case], collected: Collected, weights: np.ndarray,
                     threshold: float, unsure: float) -> dict[str, Any]:
    """How the calibration does on the questions it was placed with."""
    has_answer = np.array([a is not None for _, a in cases])
    best = best_evidence(collected, weights)
    asked = [(rows, labels) for (rows, labels), (_, a) in zip(collected, cases) if a is not None and len(rows)]
    chosen = [labels[int(np.argmax(rows @ weights[:-1]))] == 1 for rows, labels in asked]
    return {"answerable": int(has_answer.sum()), "unanswerable": int((~has_answer).sum()),
            "best_sentence_holds_answer": round(float(np.mean(chosen)), 4),
            "reader_alone_holds_answer": round(float(np.mean([labels[int(np.argmax(rows[:, 0]))] == 1
                                                               for rows, labels in asked])), 4),
            "ranking_first_holds_answer": round(float(np.mean([labels[0] == 1 for _, labels in asked])), 4),
            "answerable_declined": round(float(np.mean(best[has_answer] < threshold)), 4),
            "unanswerable_declined": round(float(np.mean(best[~has_answer] < threshold)), 4),
            "unanswerable_declined_or_unsure": round(float(np.mean(best[~has_answer] < unsure)), 4)}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    reader = Reader(args.models)
    reader.calibration = {}  # the reader's own logit while the features are collected
    squad, squad_collected = squad_cases(args, reader)
    about, about_collected = about_cases(args.about_pages, reader) if args.about_pages else ([], [])
    fitted = [(rows, labels) for rows, labels in squad_collected + about_collected if len(rows)]
    weights = logistic_regression(np.vstack([rows for rows, _ in fitted]), np.concatenate([y for _, y in fitted]))
    placing, placed_on = (about, about_collected) if about else (squad, squad_collected)
    declined_share = args.declined_answerable or (ABOUT_DECLINED_ANSWERABLE if about else DECLINED_ANSWERABLE)
    unsure_share = args.unsure_answerable or (ABOUT_UNSURE_ANSWERABLE if about else UNSURE_ANSWERABLE)
    answerable_best = best_evidence(placed_on, weights)[[a is not None for _, a in placing]]
    threshold = float(np.quantile(answerable_best, declined_share))
    unsure = float(np.quantile(answerable_best, unsure_share))
    calibration = {
        "weights": {name: round(float(w), 5) for name, w in zip(FEATURES, weights[:-1])},
        "bias": round(float(weights[-1]), 5), "threshold": round(threshold, 5),
        "unsure_threshold": round(unsure, 5),
        "placed_on": [p.name for p in args.about_pages] or "held-out SQuAD articles",
        "shares": {"declined": declined_share, "unsure": unsure_share},
        "held_out": held_out_figures(squad, squad_collected, weights, threshold, unsure),
    }
    if about:
        calibration["about_pages"] = held_out_figures(about, about_collected, weights, threshold, unsure)
    path = args.models / SETTINGS_FILE
    settings = json.loads(path.read_text())
    settings["calibration"] = calibration
    path.write_text(json.dumps(settings, indent=1) + "\n")
    print(json.dumps(calibration, indent=1))
    for share in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2):
        print(f"answerable below the evidence {np.quantile(answerable_best, share):.3f}: {share}")


if __name__ == "__main__":
    main()
