"""SciFact benchmark: does the project's retriever rank the abstracts a scientific claim cites?

SciFact (../shared/benchmarks/scifact/scifact.zip, read in place) has 5,183 paper
abstracts and 300 validation claims, each citing one or more abstracts (339
pairs, BEIR's SciFact test qrels). The abstracts become a corpus in a temporary
folder (one Markdown file per abstract: its title as front matter and heading,
then its sentences), the project indexes it with its own build_index, and every
claim is searched.

Measured per system, averaged over the claims (a document's rank is that of its
best chunk, as an abstract may span several chunks):
  nDCG@10   binary relevance, the BEIR metric (published BM25: 0.665)
  R@100     share of a claim's cited abstracts among the first 100 documents
  p50, p95  search latency in milliseconds
Systems:
  project   assistant.retrieval.retriever.Retriever.search (BM25 + MiniLM + E5 when the index
            has it, fused by RRF) with the English weights that `ask` uses; R@100
            is read from a deeper search (100 candidates per retriever instead of 20).
  bm25      the project's BM25 over chunks, alone
  minilm    MiniLM cosine over chunks (the FAISS chunk index), alone

Run from the project root (the first run builds the index, long on 2 cores):
    .venv/bin/python bench/scifact.py
    .venv/bin/python bench/scifact.py --no-multilingual --limit 100
The index is cached in the system temp folder (/tmp/cashmere-scifact-bench/index,
outside the repository; change with --index-dir), so re-runs skip the build.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    Abstract,
    Claim,
    bm25_chunk_ranking,
    distinct,
    load_scifact_abstracts,
    load_scifact_claims,
    minilm_chunk_ranking,
    percentiles_ms,
    print_progress,
    write_markdown,
)

from assistant.ingest.store import Index
from assistant.models.embedding import load_encoders
from assistant.pipeline import ensure_index
from assistant.retrieval.retriever import Retriever

DEFAULT_INDEX_DIR = Path(tempfile.gettempdir()) / "cashmere-scifact-bench" / "index"
SYSTEMS = ["project", "bm25", "minilm"]
DEEP = 100  # documents for R@100
BASELINE_DEPTH = 400  # chunks fetched by a baseline to find DEEP distinct documents
PUBLISHED_BM25 = 0.665
TARGET_LEAD = 0.02  # the project's nDCG@10 must beat BM25's (same run) by this much


def write_corpus(abstracts: list[Abstract], folder: Path) -> None:
    for abstract in abstracts:
        write_markdown(folder / f"{abstract.doc_id}.md", abstract.title, abstract.title,
                       " ".join(abstract.sentences))


def documents_of(index: Index, chunk_ids: list[int]) -> list[str]:
    """Distinct doc ids (file names without .md) in ranking order."""
    return distinct([index.chunks[i].path.removesuffix(".md") for i in chunk_ids])


def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    gains = sum(1 / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), 10)))
    return gains / ideal


def recall_at(ranked: list[str], relevant: set[str], depth: int) -> float:
    return len(relevant & set(ranked[:depth])) / len(relevant)


def run(index: Index, retriever: Retriever, claims: list[Claim]) -> dict[str, dict]:
    """Per system: its rankings for nDCG@10 and R@100, and search times."""
    minilm = next(encoder for encoder in retriever.encoders if encoder.name == "minilm")
    results = {system: {"top": [], "deep": [], "seconds": []} for system in SYSTEMS}
    retriever.search(claims[0].text)  # warm-up
    for n, claim in enumerate(claims, start=1):
        started = time.perf_counter()
        top = retriever.search(claim.text, top_k=DEEP).hits
        results["project"]["seconds"].append(time.perf_counter() - started)
        deep = retriever.search(claim.text, top_k=10 * DEEP, depth=DEEP).hits
        _record(results["project"], documents_of(index, [h.chunk.id for h in top]),
                documents_of(index, [h.chunk.id for h in deep]))
        started = time.perf_counter()
        bm25 = documents_of(index, bm25_chunk_ranking(index, claim.text, BASELINE_DEPTH))
        results["bm25"]["seconds"].append(time.perf_counter() - started)
        _record(results["bm25"], bm25, bm25)
        started = time.perf_counter()
        dense = documents_of(index, minilm_chunk_ranking(index, minilm.encode_query(claim.text), BASELINE_DEPTH))
        results["minilm"]["seconds"].append(time.perf_counter() - started)
        _record(results["minilm"], dense, dense)
        if n % 100 == 0 or n == len(claims):
            print(f"  claims: {n}/{len(claims)}", file=sys.stderr, flush=True)
    return results


def _record(result: dict, top: list[str], deep: list[str]) -> None:
    result["top"].append(top)
    result["deep"].append(deep)


def table(results: dict[str, dict], claims: list[Claim]) -> list[dict]:
    rows = []
    for system in SYSTEMS:
        result = results[system]
        p50, p95 = percentiles_ms(result["seconds"])
        rows.append({
            "system": system,
            "n": len(claims),
            "nDCG@10": statistics.fmean(ndcg_at_10(r, c.relevant) for r, c in zip(result["top"], claims)),
            "R@100": statistics.fmean(recall_at(r, c.relevant, DEEP) for r, c in zip(result["deep"], claims)),
            "p50_ms": p50,
            "p95_ms": p95,
        })
    return rows


def format_table(rows: list[dict], models: list[str]) -> str:
    columns = ["n", "nDCG@10", "R@100", "p50_ms", "p95_ms"]
    lines = [f"{'system':<8}" + "".join(f"{c:>9}" for c in columns)]
    for row in rows:
        lines.append(f"{row['system']:<8}" + "".join(
            f"{row[c]:>9.3f}" if isinstance(row[c], float) else f"{row[c]:>9}" for c in columns))
    project, bm25 = rows[0]["nDCG@10"], rows[1]["nDCG@10"]
    verdict = "ok" if project >= bm25 + TARGET_LEAD else "MISS"
    lines.append(f"project dense models: {', '.join(models)}; published BM25 nDCG@10 {PUBLISHED_BM25}")
    lines.append(f"target: project nDCG@10 >= BM25 (same run) + {TARGET_LEAD}: "
                 f"{project:.3f} vs {bm25 + TARGET_LEAD:.3f} {verdict}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="claims to search (default: all 300)")
    parser.add_argument("--no-multilingual", action="store_true",
                        help="build and search without the multilingual E5 model (much faster build)")
    parser.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR, help="cached index folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    abstracts = load_scifact_abstracts()
    claims = load_scifact_claims()[:args.limit]
    encoders = load_encoders(multilingual=not args.no_multilingual)
    with tempfile.TemporaryDirectory(prefix="scifact-corpus-") as corpus:
        write_corpus(abstracts, Path(corpus))
        started = time.perf_counter()
        index = ensure_index(Path(corpus), args.index_dir, encoders, progress=print_progress)
    print(f"index ready in {time.perf_counter() - started:.1f} s ({args.index_dir}): "
          f"{len(abstracts)} abstracts, {len(index.chunks)} chunks", file=sys.stderr)
    retriever = Retriever(index, encoders)
    results = run(index, retriever, claims)
    print(format_table(table(results, claims), sorted(index.dense)))


if __name__ == "__main__":
    main()
