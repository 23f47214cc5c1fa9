"""The index: built once, reloaded when current, rebuilt when stale or damaged, never half-written."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.build import build_index
from assistant.ingest.store import IndexUnavailable, load_index, read_manifest
from assistant.ingest.versions import current_version
from assistant.pipeline import ensure_index
from tests.conftest import CORPUS


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "herds.md").write_text("# Herds\nThe herders keep goats in Arkhangai. They comb them in spring.\n")
    return corpus


class FailingEncoder:
    """A real encoder that breaks after its first batch, as a crash mid-build would."""

    def __init__(self, encoder):
        self.encoder, self.name, self.model_id, self.dim = encoder, encoder.name, encoder.model_id, encoder.dim

    def encode_passages(self, texts):
        raise RuntimeError("power cut")

    def encode_query(self, text):
        return self.encoder.encode_query(text)


def test_current_index_loads_without_encoding_and_edits_reencode_only_changes(small_corpus, tmp_path, encoders,
                                                                             monkeypatch):
    from assistant.ingest import build
    from assistant.models.lexical import LexicalIndex, tokenize

    index_dir = tmp_path / "index"
    first = ensure_index(small_corpus, index_dir, encoders)
    assert first.manifest["stats"]["encoded"] > 0 and first.manifest["stats"]["reused"] == 0

    again = ensure_index(small_corpus, index_dir, encoders)
    assert again.folder == first.folder, "nothing changed: the index is loaded, not rebuilt"

    herds = small_corpus / "herds.md"
    herds.write_text(herds.read_text().replace("spring", "early spring"))
    tokenized = []
    monkeypatch.setattr(build.TOKENS, "function", lambda text: tokenized.append(text) or tokenize(text))
    edited = ensure_index(small_corpus, index_dir, encoders)
    assert edited.folder != first.folder
    stats = edited.manifest["stats"]
    # one chunk and one sentence changed, for each of the two models
    assert stats["encoded"] == 2 * len(encoders)
    assert any("early spring" in chunk.text for chunk in edited.chunks)
    assert len(tokenized) == 2 and all("early spring" in text for text in tokenized), "only changed text"
    fresh = LexicalIndex.build([chunk.context_text for chunk in edited.chunks])
    assert (edited.bm25_chunks.scores("herders comb goats") == fresh.scores("herders comb goats")).all()
    assert not first.folder.exists(), "old versions are removed after the switch"


def test_a_build_that_fails_midway_leaves_the_previous_index_in_use(small_corpus, tmp_path, encoders):
    index_dir = tmp_path / "index"
    before = ensure_index(small_corpus, index_dir, encoders)
    (small_corpus / "new.txt").write_text("Cashmere is combed by hand in May.\n")
    with pytest.raises(RuntimeError, match="power cut"):
        build_index(small_corpus, index_dir, [FailingEncoder(e) for e in encoders])
    assert current_version(index_dir) == before.folder
    survivor = load_index(index_dir)
    assert len(survivor.chunks) == len(before.chunks)
    assert list(index_dir.glob("tmp-*")), "the unfinished build is left aside, not published"
    after = ensure_index(small_corpus, index_dir, encoders)
    assert any("combed by hand" in c.text for c in after.chunks)
    assert not list(index_dir.glob("tmp-*")), "leftovers are cleaned by the next build"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_damaged_index_files_are_detected_and_rebuilt(small_corpus, tmp_path, encoders, damage, caplog):
    index_dir = tmp_path / "index"
    built = ensure_index(small_corpus, index_dir, encoders)
    target = built.folder / "minilm.faiss"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "garbage":
        target.write_bytes(b"\x00garbage" * 50)
    else:
        target.unlink()
    with pytest.raises(IndexUnavailable):
        load_index(index_dir)
    rebuilt = ensure_index(small_corpus, index_dir, encoders)
    assert rebuilt.folder != built.folder and len(rebuilt.chunks) == len(built.chunks)
    assert "rebuilding" in caplog.text


def test_missing_index_folder_is_built(small_corpus, tmp_path, encoders):
    index = ensure_index(small_corpus, tmp_path / "does" / "not" / "exist", encoders)
    assert {c.section for c in index.chunks} >= {"Our partners > AVSF", "Herds"}


def test_a_corpus_with_nothing_readable_builds_and_declines(tmp_path, encoders):
    from assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    bot = Assistant.open(corpus, tmp_path / "index", encoders=encoders)
    assert bot.index.chunks == [] and list(bot.index.manifest["skipped"]) == ["broken.pdf"]
    reply = bot.ask("When was AVSF founded?")
    assert not reply.answered and reply.sources == [] and "don't know" in reply.text


def test_an_unreadable_manifest_is_logged_and_rebuilt(small_corpus, tmp_path, encoders, caplog):
    index_dir = tmp_path / "index"
    ensure_index(small_corpus, index_dir, encoders)
    manifest = index_dir / (index_dir / "CURRENT").read_text().strip() / "manifest.json"
    manifest.write_text("{ not json")
    with caplog.at_level(logging.WARNING):
        index = ensure_index(small_corpus, index_dir, encoders)
    assert "no readable manifest" in caplog.text and index.chunks
    assert read_manifest(index_dir) is not None


# ---------------------------------------------------------------- scale


def test_above_the_exact_limit_the_index_is_an_inverted_file_and_still_answers(small_corpus, tmp_path,
                                                                             encoders, monkeypatch):
    import faiss

    from assistant import Assistant
    from assistant.ingest import vectors

    monkeypatch.setattr(vectors, "EXACT_SEARCH_LIMIT", 10)
    bot = Assistant.open(small_corpus, tmp_path / "index", encoders=encoders)
    sentences = bot.index.dense["minilm"].sentence_index
    assert faiss.try_extract_index_ivf(sentences) is not None and sentences.ntotal > 10
    stored = np.ascontiguousarray(bot.index.dense["minilm"].sentence_vectors)
    _, nearest = sentences.search(stored, 1)
    assert (nearest[:, 0] == np.arange(len(stored))).all(), "each stored sentence finds itself"
    reply = bot.ask("When was AVSF founded?")
    assert reply.answered and "**1977**" in reply.text


def test_an_index_stays_readable_after_a_rebuild_replaces_its_files(small_corpus, tmp_path, encoders):
    """Vector files are memory-mapped: answers in flight on the old index survive the swap."""
    index_dir = tmp_path / "index"
    old = ensure_index(small_corpus, index_dir, encoders)
    (small_corpus / "new.txt").write_text("Cashmere is combed by hand in May.\n")
    build_index(small_corpus, index_dir, encoders)
    assert not old.folder.exists()
    dense = old.dense["minilm"]
    vector = np.array(dense.sentence_vectors[0])
    scores, rows = dense.sentence_index.search(vector.reshape(1, -1), 1)
    assert rows[0][0] == 0 and scores[0][0] == pytest.approx(1.0, abs=1e-4)


def test_the_multilingual_index_is_skipped_above_its_size_limit(small_corpus, tmp_path, encoders,
                                                               monkeypatch, caplog):
    from assistant import Assistant
    from assistant.ingest import build

    monkeypatch.setitem(build.SIZE_LIMITED_MODELS, "e5", 3)
    bot = Assistant.open(small_corpus, tmp_path / "index", encoders=encoders)
    assert len(bot.index.chunks) > 3 and set(bot.index.dense) == {"minilm"}
    assert bot.index.manifest["dense"] == ["minilm"] and "e5 index is skipped" in caplog.text
    assert ensure_index(small_corpus, tmp_path / "index", encoders).folder == bot.index.folder
    assert bot.ask("When was AVSF founded?").answered
    french = bot.ask("Quand AVSF a-t-elle été fondée ?")
    assert not french.answered and french.language == "fr"


def test_the_lexical_ranking_keeps_the_best_scores_in_order_ties_by_index():
    from assistant.retrieval.retriever import _ranking

    rng = np.random.default_rng(0)
    scores = np.round(rng.random(5000), 2).astype(np.float32)  # many ties
    scores[rng.random(5000) < 0.5] = 0.0
    expected = list(np.argsort(-scores, kind="stable")[:20])
    assert [i for i, _ in _ranking(scores, 20)] == expected
    assert _ranking(np.zeros(10, dtype=np.float32), 5) == []
    assert [i for i, _ in _ranking(np.array([0.0, 2.0, 1.0], dtype=np.float32), 5)] == [1, 2]
