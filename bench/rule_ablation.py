"""Which hand rules still earn their place: each one switched off in turn, the figures that move.

Issue 16 step 5: for every hand rule of the answer path, the union's question set (all
categories), the held-out visitor batches (summed, as `visitor_batches.py` counts them), keys
mashed (how many get a quote), XQuAD English (the reply holds the gold answer) and XQuAD without
answers (as served) are measured with the rule off, beside the project as it is. A rule whose
removal moves none of the figures is not needed by any benchmark and is deleted; one that stays is
listed in docs/rules.md with the figure that keeps it. The batches are the questions nobody tuned the rules on.

    .venv/bin/python bench/rule_ablation.py                 # every rule
    .venv/bin/python bench/rule_ablation.py --only length   # one rule (name prefix; several: comma-separated)
    .venv/bin/python bench/rule_ablation.py --visitors --only "glossary fr"   # each French glossary entry
    .venv/bin/python bench/rule_ablation.py --baseline      # the project as served, no rule off
    .venv/bin/python bench/rule_ablation.py --visitors      # the union set and the batches only (fast)
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path

import common  # noqa: F401  (puts the project on the path)
import xquad
import xquad_noans
from common import load_xquad
from visitor_batches import UNION_SET, default_sets

from assistant import pipeline, settings
from assistant.answer import decision, quote, ranking
from assistant.evaluation import evaluate, load_cases, outcome_counts, report, run_case
from assistant.models.embedding import load_encoders
from assistant.pipeline import Assistant
from assistant.query import glossary, kinds

NEVER = re.compile(r"(?!)")


@contextmanager
def patched(target: object, name: str, value: object):
    """`target.name` is `value` inside the block, restored after (lru caches keyed on it cleared)."""
    saved = getattr(target, name)
    setattr(target, name, value)
    kinds.question_kind.cache_clear()
    try:
        yield
    finally:
        setattr(target, name, saved)
        kinds.question_kind.cache_clear()


def without_english_weight(name: str):
    return patched(settings, "ENGLISH_WEIGHTS", {**settings.ENGLISH_WEIGHTS, name: 0.0})


@contextmanager
def without_length_bonus():
    """Neither language's ranking gives sentences a bonus for their length."""
    with without_english_weight("length"), patched(
            settings, "OTHER_LANGUAGE_WEIGHTS", {**settings.OTHER_LANGUAGE_WEIGHTS, "length": 0.0}):
        yield


def without_glossary_entry(language: str, start: str):
    """The seed glossary without its `language` entry for words beginning with `start`."""
    entries = {**glossary.SEED.entries,
               language: [entry for entry in glossary.SEED.entries[language] if entry[0] != start]}
    return patched(glossary.SEED, "_patterns", glossary.Glossary(entries)._patterns)


# name -> what switches the rule off
ABLATIONS: dict[str, Callable[[], object]] = {
    "length bonus (ranking, every language)": without_length_bonus,
    "answer fit (English ranking)": lambda: without_english_weight("fit"),
    "fit: qualifies the asked thing": lambda: patched(ranking, "qualifies_the_asked_thing", lambda *_: False),
    "fit: a list for 'what kinds of'": lambda: patched(ranking, "LIST_QUESTION", NEVER),
    "adjacent tie quoted whole": lambda: patched(quote, "_adjacent_tie", lambda _: False),
    "reader chooses among ties": lambda: patched(pipeline, "choose_among_ties", lambda _, __, ranked: (ranked, 0)),
    "reader overrules a refuted first": lambda: patched(pipeline, "overrule_refuted_first",
                                                        lambda _, ranked: (ranked, False)),
    "refers back (quote the sentence before)": lambda: patched(quote, "REFERS_BACK", NEVER),
    "question word within 2 words": lambda: patched(kinds, "MAX_WORDS_BEFORE_QUESTION_WORD", 1000),
    "keywords quoted (English decline)": lambda: patched(settings, "MAX_KEYWORDS", 0),
    "MiniLM bar (English decline)": lambda: patched(settings, "MIN_ENGLISH_EVIDENCE", float("-inf")),
    "reader sure of the first lifts the MiniLM bar": lambda: patched(pipeline, "evidence_of_the_first",
                                                                     lambda *_: {}),
    "quote must fit strict kinds": lambda: patched(decision, "quote_fits", lambda *_: True),
    "multilingual: lower bar with shared words": lambda: patched(
        settings, "MIN_MULTILINGUAL_SIMILARITY_WITH_SHARED_WORDS", settings.MIN_MULTILINGUAL_SIMILARITY),
    "spelling correction": lambda: patched(pipeline, "correct_spelling", lambda query, _: query),
    "no word: asked for a question": lambda: patched(pipeline, "holds_a_word", lambda *_: True),
    "closest passage's next sentence": lambda: patched(pipeline, "with_runner_up", lambda quoted, _: quoted),
    "sentences of the first passages only": lambda: patched(settings, "PASSAGES_RANKED", 1000),
}
ABLATIONS.update({  # the seed vocabulary of each language, which the benchmarks' assistants read (no data folder)
    f"{language} glossary": (lambda language=language: patched(
        glossary.SEED, "_patterns", {**glossary.SEED._patterns, language: []}))
    for language in glossary.SEED.entries})
ABLATIONS.update({  # each glossary entry, one at a time
    f"glossary {language} '{start}' -> {english}": (lambda language=language, start=start: without_glossary_entry(
        language, start))
    for language, entries in glossary.SEED.entries.items() for start, english in entries})
ABLATIONS.update({  # each kind of question the question words recognise, one at a time
    f"question kind '{kind}'": (lambda kind=kind: patched(
        kinds, "KIND_WORDS", {other: words for other, words in kinds.KIND_WORDS.items() if other != kind}))
    for kind in kinds.KIND_WORDS})


def union_figures(bot: Assistant, cases: list[dict]) -> list[float]:
    """The union set's shares, and its right answers given as "not sure" (a count)."""
    outcomes = evaluate(bot, cases)
    rows = {row["category"]: row for row in report(outcomes)}
    right_unsure = outcome_counts(outcomes)["right_unsure"]
    return [rows["all"]["accuracy"], rows["all-answerable"]["accuracy"], rows["all-answerable"]["false_declines"],
            rows["unanswerable"]["declined_ok"], rows["offtopic"]["declined_ok"], right_unsure]


def batch_figures(bot: Assistant, batch_cases: list[dict]) -> list[float]:
    """The held-out batches together: answerable right, unanswerable declined, wrong quotes given as
    the answer, right answers given as "not sure"."""
    counts = outcome_counts([run_case(bot, case) for case in batch_cases])
    return [counts["right"], counts["unanswerable_declined"], counts["wrong_sure"], counts["right_unsure"]]


def nonwords_answered(bot: Assistant, count: int = 400) -> list[float]:
    """Keys mashed, as `tests/test_properties.py` makes them (1 to 5 runs of 6 to 12 consonants,
    seeded): how many get a quote instead of a decline or the help message."""
    rng = random.Random(11)
    mashed = [" ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(6, 12)))
                       for _ in range(rng.randint(1, 5))) for _ in range(count)]
    return [sum(bot.ask(text).answered for text in mashed)]


def xquad_gold(bot: Assistant, questions: list) -> float:
    return statistics.fmean(xquad.ask_project(bot, q.text).holds(q.answers) for q in questions)


def noans_figures(bot: Assistant, answerable: list, unanswerable: list[str]) -> list[float]:
    replies = [(xquad_noans.quoted(bot, question)[0], answers) for question, answers in answerable]
    return [statistics.fmean(xquad_noans.quoted(bot, question)[0] is None for question in unanswerable),
            statistics.fmean(xquad_noans.holds(text, answers) for text, answers in replies)]


COLUMNS = {"union all": ".3f", "answ.": ".3f", "answ.decl": ".3f", "unans.decl": ".3f", "offtopic": ".3f",
           "unsure": ".0f", "batches right": ".0f", "b.unans.decl": ".0f", "b.wrong sure": ".0f", "b.unsure": ".0f",
           "non-words": ".0f", "xquad gold": ".3f", "noans decl": ".3f", "noans gold": ".3f"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="rules whose name starts with this (or these, comma-separated)")
    parser.add_argument("--baseline", action="store_true", help="only the project as served")
    parser.add_argument("--visitors", action="store_true", help="the union set and the batches only, no XQuAD")
    args = parser.parse_args()
    encoders = load_encoders()
    union = Assistant.open("corpus", "index", encoders=encoders)
    cases = load_cases(UNION_SET)
    batch_cases = [case for path in default_sets() if path.resolve() != UNION_SET.resolve()
                   for case in load_cases(path)]
    columns = list(COLUMNS)[:list(COLUMNS).index("xquad gold")] if args.visitors else list(COLUMNS)
    print(f"{'rule switched off':<46} " + " ".join(columns), flush=True)
    chosen = {} if args.baseline else {name: switch for name, switch in ABLATIONS.items()
                                       if name.startswith(tuple(args.only.split(",")))}
    figures = (lambda: []) if args.visitors else xquad_figures(encoders)
    for name, switch in {"(none: as served)": None, **chosen}.items():
        with ExitStack() as stack:
            if switch:
                stack.enter_context(switch())
            cells = [*union_figures(union, cases), *batch_figures(union, batch_cases), *nonwords_answered(union),
                     *figures()]
        print(f"{name:<46} " + " ".join(f"{cell:>{len(column)}{COLUMNS[column]}}"
                                         for cell, column in zip(cells, columns)), flush=True)


def xquad_figures(encoders: list) -> Callable[[], list[float]]:
    """XQuAD gold, and XQuAD without answers declined and gold, as one call per ablation."""
    articles = load_xquad("en")
    questions = xquad.load_questions("en", xquad.english_gold(articles), None)
    with tempfile.TemporaryDirectory() as folder:
        xquad.write_corpus(articles, Path(folder))
        full = Assistant.open(folder, xquad.DEFAULT_INDEX_DIR, encoders=encoders)
    with tempfile.TemporaryDirectory() as folder:
        answerable, unanswerable = xquad_noans.write_corpus(articles, Path(folder))
        held_back = Assistant.open(folder, xquad_noans.DEFAULT_INDEX_DIR, encoders=encoders)
    return lambda: [xquad_gold(full, questions), *noans_figures(held_back, answerable, unanswerable)]


if __name__ == "__main__":
    main()
