"""Language detection on short questions: today's detector (script, then stopwords) against lingua.

Issue 19 asked whether `lingua-language-detector` (statistical n-gram models shipped in its wheel)
should replace `assistant/query/language.py`. Both detectors read:
  XQuAD    the same 1,190 questions in 12 languages (../shared/benchmarks/xquad, read in place);
  PIAF     French Wikipedia questions (../shared/benchmarks/piaf), since XQuAD has no French;
  ours     every turn of eval/*.jsonl, by its `lang` field, and its turns of one or two words.
A detection is right when it routes the question as its language needs: the language's own code
for the languages answered in (en, fr, mn, de, es); for any other language, a code outside them
(multilingual search, English messages), which is all today's detector can say of Italian or Thai.
"own code" is the share lingua names exactly (today's detector names only ru and zh besides ours).

Cost: the anonymous memory (RSS) a fresh process gains by building the detector with its models
loaded (each measured in a child process: lingua caches models per process), and the time per
question, median and p95, over all the questions above, after one warm-up pass.

    .venv/bin/python bench/language_detection.py [--distance 0.15] [--sweep 0,0.1,0.15,0.2]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import BENCHMARKS, ROOT, load_xquad

SERVED = ("en", "fr", "mn", "de", "es")
# What lingua chooses among: the languages answered in; Russian, so that Cyrillic is not always
# Mongolian; Mongolia's neighbours and the Asian cashmere buyers (zh, ja, ko); Italy, which spins
# much of the world's cashmere, and Portuguese, both already in our sets; and the XQuAD languages
# with a script of their own (ar, el, hi, th), told by their script. Latin-script languages rarely
# seen (tr, nl, ro, vi) are left out: on one- or two-word English questions they win ("AVSF" reads
# as Turkish, "overgrazing" as Dutch).
LINGUA_LANGUAGES = (*SERVED, "ru", "zh", "ja", "ko", "it", "pt", "ar", "el", "hi", "th")
XQUAD_LANGUAGES = ("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi", "ro")
SHORT_WORDS = 2  # "NAMAC?", "and NAMAC?", "dzud?": the turns lingua is weakest on
SHORT = f"ours <={SHORT_WORDS} words"

Detector = Callable[[str], str]


def lingua_detector(codes: tuple[str, ...], distance: float, low_accuracy: bool = False) -> Detector:
    """Lingua among `codes`, models loaded now; English when it cannot decide within `distance`.
    Its low-accuracy mode reads trigrams only: smaller models, meant for longer texts."""
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        sys.exit("lingua is missing: pip install -e '.[bench]' (or lingua-language-detector)")

    builder = (LanguageDetectorBuilder.from_iso_codes_639_1(*(getattr(IsoCode639_1, c.upper()) for c in codes))
               .with_minimum_relative_distance(distance).with_preloaded_language_models())
    detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()

    def detect(text: str) -> str:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else "en"
    return detect


def today_detector() -> Detector:
    from assistant.query.language import detect_language
    return detect_language


def question_sets() -> dict[str, dict[str, list[str]]]:
    """set -> language -> questions."""
    xquad = {language: [qa["question"] for article in load_xquad(language) for paragraph in article["paragraphs"]
                        for qa in paragraph["qas"]] for language in XQUAD_LANGUAGES}
    with open(BENCHMARKS / "piaf" / "piaf-v1.0.json", encoding="utf-8") as handle:
        piaf = [qa["question"] for article in json.load(handle)["data"] for paragraph in article["paragraphs"]
                for qa in paragraph["qas"]]
    ours: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            for turn in case["turns"]:
                ours.setdefault(case["lang"], []).append(turn)
                if len(turn.split()) <= SHORT_WORDS:
                    short.setdefault(case["lang"], []).append(turn)
    return {"XQuAD": xquad, "PIAF": {"fr": piaf}, "ours": ours, SHORT: short}


def routes_right(language: str, detected: str) -> bool:
    return detected == language if language in SERVED else detected not in SERVED


def share(detector: Detector, language: str, questions: list[str], exact: bool = False) -> float:
    right = sum((detector(q) == language) if exact else routes_right(language, detector(q)) for q in questions)
    return right / len(questions)


def memory_mb(which: str, distance: float, runs: int = 3) -> float:
    """RssAnon growth of a fresh process building the detector `which` ("today" or language codes),
    median of `runs` processes (lingua loads its models on several threads: it varies by tens of MB)."""
    command = [sys.executable, __file__, "--memory-of", which, "--distance", str(distance)]
    return statistics.median(float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
                             for _ in range(runs))


def rss_anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def print_memory_of(which: str, distance: float) -> None:
    before = rss_anon_mb()
    low, codes = which.startswith("low:"), tuple(which.removeprefix("low:").split(","))
    detect = today_detector() if which == "today" else lingua_detector(codes, distance, low)
    detect("When was AVSF founded?")
    print(f"{rss_anon_mb() - before:.1f}")


def times_us(detector: Detector, questions: list[str]) -> tuple[float, float]:
    for question in questions:  # warm-up
        detector(question)
    spent = []
    for question in questions:
        start = time.perf_counter()
        detector(question)
        spent.append(time.perf_counter() - start)
    spent.sort()
    return statistics.median(spent) * 1e6, spent[int(0.95 * len(spent))] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distance", type=float, default=0.15, help="lingua's minimum relative distance")
    parser.add_argument("--sweep", default="0,0.1,0.15,0.2", help="distances to compare on our languages")
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_of:
        print_memory_of(args.memory_of, args.distance)
        return
    sets = question_sets()
    today, lingua = today_detector(), lingua_detector(LINGUA_LANGUAGES, args.distance)
    print(f"lingua among {','.join(LINGUA_LANGUAGES)}, minimum relative distance {args.distance}, "
          "English when undecided")
    print(f"{'set':<16} {'lang':<5} {'n':>5} {'today':>7} {'lingua':>7} {'own code':>9}")
    for name, by_language in sets.items():
        for language, questions in by_language.items():
            print(f"{name:<16} {language:<5} {len(questions):>5} {share(today, language, questions):>7.3f} "
                  f"{share(lingua, language, questions):>7.3f} {share(lingua, language, questions, True):>9.3f}")

    print(f"\nour turns of at most {SHORT_WORDS} words: lang, today, lingua")
    for language, questions in sets[SHORT].items():
        for question in questions:
            print(f"  {language} {today(question):<5} {lingua(question):<3} {question}")

    mine = [(language, q) for language in SERVED for q in sets["ours"].get(language, [])]
    print("\nour languages by lingua's minimum relative distance: our turns routed right; XQuAD en, de, es; PIAF")
    sweep: list[tuple[str, Detector]] = [("today", today)]
    sweep += [(str(float(d)), lingua_detector(LINGUA_LANGUAGES, float(d))) for d in args.sweep.split(",")]
    sweep.append((f"{args.distance} low accuracy", lingua_detector(LINGUA_LANGUAGES, args.distance, True)))
    for label, detect in sweep:
        right = sum(routes_right(language, detect(q)) for language, q in mine)
        xquad = " ".join(f"{share(detect, language, sets['XQuAD'][language]):.3f}" for language in ("en", "de", "es"))
        piaf = share(detect, "fr", sets["PIAF"]["fr"])
        print(f"  {label:<18} ours {right}/{len(mine)}  XQuAD {xquad}  PIAF {piaf:.3f}")

    every = [q for name, by_language in sets.items() if name != SHORT for qs in by_language.values() for q in qs]
    print(f"\ncost ({len(every)} questions)      memory MB  median us   p95 us")
    for label, detector, which in (("today", today, "today"),
                                   ("lingua, en fr mn de es only", None, ",".join(SERVED)),
                                   ("lingua, as above", lingua, ",".join(LINGUA_LANGUAGES)),
                                   ("lingua, low accuracy", None, "low:" + ",".join(LINGUA_LANGUAGES))):
        timing = "" if detector is None else "{:>11.0f} {:>8.0f}".format(*times_us(detector, every))
        print(f"  {label:<27} {memory_mb(which, args.distance):>9.0f} {timing}")


if __name__ == "__main__":
    main()
