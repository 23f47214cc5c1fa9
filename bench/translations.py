"""Quotes in the visitor's own language, from translated texts (issue 19).

The corpus is corpus/ plus the test translations in tests/fixtures/translations (French, Mongolian).
For the French and Mongolian questions of each set: how often the reply quotes the translation,
and how often that quote holds the expected fact as the translation words it
(tests/fixtures/translations/facts.json), when the translated sentence is the one aligned to the
English sentence the ranking chose (as served) or the one closest to the question by the
multilingual model (chosen directly). Then whether English replies are the same with and without
the translations.

    .venv/bin/python bench/translations.py eval/union_qa.jsonl eval/fresh_visitors_7.jsonl
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import common  # noqa: F401  (puts the project on the path)
import numpy as np

from assistant.evaluation import DECLINE, Outcome, load_cases, run_case
from assistant.models.embedding import load_encoders
from assistant.pipeline import Assistant
from assistant.text import plain_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "translations"
TRANSLATION_FILES = ("partners.fr.md", "partners.mn.txt", "partners.mn.txt.meta.json")
LANGUAGES = ("fr", "mn")
FACTS: dict[str, dict[str, str]] = json.loads((FIXTURES / "facts.json").read_text(encoding="utf-8"))


def own_fact(case: dict) -> str:
    """The expected fact as the visitor's language words it in the test translation."""
    return FACTS[case["lang"]].get(case["expect"], case["expect"])


def holds(text: str, fact: str) -> bool:
    return fact.lower() in plain_text(text).lower()


class DirectChoice:
    """The translated sentence closest to the question by the multilingual model, over the whole translation."""

    def __init__(self, bot: Assistant) -> None:
        self.encoder = next(encoder for encoder in bot.encoders if encoder.name == "e5")
        chunks = bot.index.translations.chunks
        self.sentences = {language: [s.text for c in chunks if c.language == language for s in c.sentences]
                          for language in LANGUAGES}
        self.vectors = {language: self.encoder.encode_passages(texts) for language, texts in self.sentences.items()}

    def best(self, question: str, language: str) -> str:
        scores = self.vectors[language] @ self.encoder.encode_query(question)
        return self.sentences[language][int(np.argmax(scores))]


def measure(bot: Assistant, english_only: Assistant, direct: DirectChoice, cases: list[dict]) -> list[str]:
    asked = [c for c in cases if c["lang"] in LANGUAGES and c["expect"] != DECLINE]
    lines = [f"  {'lang':<5}{'n':>4}{'answered':>10}{'own-language quote':>20}{'fact (aligned)':>16}"
             f"{'fact (direct)':>15}{'English quote, no translations':>32}"]
    for language in LANGUAGES:
        mine = [c for c in asked if c["lang"] == language]
        outcomes = [run_case(bot, c) for c in mine]
        before = [run_case(english_only, c).correct for c in mine]
        own = [o.answered and bool(o.paths) and o.paths[0] in TRANSLATION_FILES for o in outcomes]
        aligned = [is_own and holds(o.text, own_fact(o.case)) for o, is_own in zip(outcomes, own)]
        chosen = [o.answered and holds(direct.best(o.case["turns"][-1], language), own_fact(o.case)) for o in outcomes]
        lines.append(f"  {language:<5}{len(mine):>4}{sum(o.answered for o in outcomes):>10}{sum(own):>20}"
                     f"{sum(aligned):>16}{sum(chosen):>15}{sum(before):>32}")
        lines += [f"      missed: {o.case['turns'][-1]!r} -> {plain_text(o.text)[:110]!r}"
                  for o, right in zip(outcomes, aligned) if not right]
    return lines


def unchanged(bot: Assistant, english_only: Assistant, cases: list[dict]) -> str:
    """English replies with the translations in the corpus against without them."""
    english = [c for c in cases if c["lang"] == "en"]
    same = sum(_text(run_case(bot, c)) == _text(run_case(english_only, c)) for c in english)
    return f"  English replies unchanged by the translations: {same}/{len(english)}"


def _text(outcome: Outcome) -> tuple[bool, str]:
    return outcome.answered, outcome.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    encoders = load_encoders()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        english_only = Assistant.open(ROOT / "corpus", Path(folder) / "index-en", encoders=encoders)
        for name in TRANSLATION_FILES:
            shutil.copy(FIXTURES / name, corpus / name)
        bot = Assistant.open(corpus, Path(folder) / "index", encoders=encoders)
        for report in bot.index.manifest["translations"]:
            print(f"{report['document']} ({report['language']}, of {report['original']}): "
                  f"{report['sections']}/{report['original_sections']} sections, aligned by {report['aligned_by']}")
        direct = DirectChoice(bot)
        for path in args.sets:
            cases = load_cases(path)
            print(f"{path}")
            print("\n".join(measure(bot, english_only, direct, cases)))
            print(unchanged(bot, english_only, cases))


if __name__ == "__main__":
    main()
