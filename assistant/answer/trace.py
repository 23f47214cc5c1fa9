"""The trace staff read beside a reply: what was searched, how it ranked, what the reader did."""
from __future__ import annotations

from assistant.query.kinds import question_kind
from assistant.retrieval.retriever import Retrieval
from assistant.types import Candidate, Evidence, PassageTrace, SentenceTrace, Trace


def trace_of(retrieval: Retrieval, candidates: list[Candidate], evidence: Evidence, tied: int = 0,
             overruled: bool = False) -> Trace:
    """Why this reply: the retrievers' ranks and scores, the fused order, the sentences, what the reader chose."""
    passages = [PassageTrace(chunk_id=hit.chunk.id, section=hit.chunk.section, fused=round(hit.score, 5),
                             ranks=hit.ranks, scores={k: round(v, 4) for k, v in hit.scores.items()})
                for hit in retrieval.hits]
    sentences = [SentenceTrace(chunk_id=c.chunk.id, sentence=c.chunk.sentences[c.sentence].text,
                               score=round(c.score, 5), signals={k: round(v, 4) for k, v in c.signals.items()})
                 for c in candidates[:5]]
    # "kind": what the answer fit looked for (a year, a count, an aim, ...)
    return Trace(query=retrieval.query, models=sorted(retrieval.query_vectors), centered=retrieval.centered,
                 kind=question_kind(retrieval.query), evidence=evidence, passages=passages, sentences=sentences,
                 reader_chose_among=tied, reader_overruled=overruled)
