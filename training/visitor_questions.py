"""Visitor-style questions written over SQuAD training articles -> reader pairs.

SQuAD's questions mostly reuse their paragraph's words, and the reader leans on them; visitors
type in their own words, and ask on-topic things the page never says. `training/visitor_questions/`
holds questions written the way the union's visitor batches are written (casual, vague, yes/no,
typos, "you"/"your", and on-topic questions the text cannot answer), but over the first paragraphs
of 48 SQuAD *training* articles about organisations (never XQuAD, never the union's texts). Each
line names its article, and for an answerable question the paragraph and the verbatim words that
answer (docs/reader.md, "Visitor-style questions over SQuAD articles"). `more/` holds 2,112 more,
written the same way over 96 other training pages: measured in a pass not kept, and not read by
`make reader` (docs/reader.md, "Three times the written questions").

Per answerable question, the pairs `reader_data.pairs_for` makes for a SQuAD question (the
sentence holding the answer, the paragraph's other sentences, the closest sentences elsewhere);
per unanswerable one, the sentences of the page sharing the most rare words with it, and one at
random, all negatives: what the assistant would put before the reader for such a question.
"""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from training.reader_data import (
    SQUAD,
    Article,
    Pair,
    Question,
    article_from_squad,
    closest_elsewhere,
    inverse_document_frequencies,
    pairs_for,
    positives,
)

FOLDER = Path(__file__).resolve().parent / "visitor_questions"
PAGE_PARAGRAPHS = 6  # the writers read each article's first 6 paragraphs, as one web page
CLOSE_NEGATIVES = 4
DECLINE = "decline"


def load_lines(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def pages(titles: set[str], squad: Path = SQUAD) -> dict[str, Article]:
    """The articles' first paragraphs, split into sentences in their run-time context, without SQuAD's questions."""
    with gzip.open(squad, "rt", encoding="utf-8") as handle:
        data = json.load(handle)["data"]
    found = {}
    for entry in data:
        title = entry["title"].replace("_", " ")
        if title in titles:
            paragraphs = [{"context": p["context"], "qas": []} for p in entry["paragraphs"][:PAGE_PARAGRAPHS]]
            found[title] = article_from_squad({"title": entry["title"], "paragraphs": paragraphs})
    return found


def visitor_pairs(lines: list[dict], seed: int, squad: Path = SQUAD) -> list[Pair]:
    """Pairs for every written question whose answer lies in one sentence of its paragraph."""
    return pairs_over(pages({line["article"] for line in lines}, squad), lines, seed)


def pairs_over(articles: dict[str, Article], lines: list[dict], seed: int) -> list[Pair]:
    """Pairs for each line's question over its article (`about_pages` gives its own articles)."""
    idf = inverse_document_frequencies(list(articles.values()))
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for line in lines:
        article = articles[line["article"]]
        # a translated question (`about_pages`) draws the negatives its English original draws: it shares
        # few words with the English page, so its own words would pick them nearly at random
        english = line.get("english", line["question"])
        if line["expect"] == DECLINE:
            pairs += unanswerable_pairs(article, english, idf, rng, text=line["question"])
            continue
        question = Question(english, line["expect"], int(line["paragraph"]))
        if positives(article, question):
            pairs += pairs_for(article, question, idf, rng, text=line["question"])
    return pairs


def unanswerable_pairs(article: Article, asked: str, idf: dict[str, float], rng: random.Random,
                       text: str | None = None) -> list[Pair]:
    """The page's sentences closest to a question it cannot answer (and one at random), as negatives;
    paired with `text` when given (the question as translated), as `pairs_for` does."""
    anywhere = Question(asked, "", paragraph=-1)  # no paragraph of its own: every paragraph is "elsewhere"
    close = closest_elsewhere(article, anywhere, CLOSE_NEGATIVES, idf)
    others = [s for group in article.paragraphs for s in group if s not in close]
    return [Pair(text or asked, s.context, 0.0) for s in [*close, *rng.sample(others, min(1, len(others)))]]
