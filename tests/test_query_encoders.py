"""The question path: MiniLM's ONNX export gives the indexed model's vectors, torch stands in
when the export is missing or stale, and questions asked at once each get their own vectors."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.models.embedding import MiniLMEncoder, encode_queries
from assistant.models.onnx_minilm import EXPORT_PATH, MIN_COSINE, min_cosine, stamp_path
from tests.conftest import ROOT


def eval_questions() -> list[str]:
    lines = (ROOT / "eval" / "union_qa.jsonl").read_text(encoding="utf-8").splitlines()
    return [turn for line in lines if line.strip() for turn in json.loads(line)["turns"]]


@pytest.fixture(scope="module")
def minilm(encoders) -> MiniLMEncoder:
    return next(encoder for encoder in encoders if encoder.name == "minilm")


def test_the_installed_export_serves_questions_with_the_indexed_vectors(minilm, bot):
    """`make setup` exports MiniLM; its question vectors match sentence-transformers' (which
    built the index) on every eval question and every indexed sentence and passage."""
    assert minilm.query_runtime == "onnxruntime", f"no usable export at {EXPORT_PATH}: run `make setup`"
    sentences = [sentence.context for chunk in bot.index.chunks for sentence in chunk.sentences]
    texts = eval_questions() + sentences + [chunk.context_text for chunk in bot.index.chunks] + ["word " * 600]
    assert min_cosine(minilm._onnx, minilm.model, texts) >= MIN_COSINE
    indexed = bot.index.dense["minilm"].sentence_vectors
    first_sentence = bot.index.chunks[0].sentence_context(0)
    row = int(bot.index.first_sentence[0])
    assert float(indexed[row] @ minilm.encode_query(first_sentence)) >= MIN_COSINE


def test_without_an_export_questions_fall_back_to_torch(minilm, tmp_path):
    fallback = MiniLMEncoder(onnx_path=tmp_path / "missing.onnx")
    assert fallback.query_runtime == "torch"
    question = "How many families are in the network?"
    assert float(fallback.encode_query(question) @ minilm.encode_query(question)) >= MIN_COSINE


def test_a_stale_or_damaged_export_is_not_used(tmp_path):
    stale = tmp_path / "stale.onnx"
    shutil.copyfile(EXPORT_PATH, stale)
    stamp = json.loads(stamp_path(EXPORT_PATH).read_text())
    stamp["weights"]["weights_bytes"] += 1  # made from other weights
    stamp_path(stale).write_text(json.dumps(stamp))
    assert MiniLMEncoder(onnx_path=stale).query_runtime == "torch"
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"not a model")
    shutil.copyfile(stamp_path(EXPORT_PATH), stamp_path(damaged))
    assert MiniLMEncoder(onnx_path=damaged).query_runtime == "torch"


def test_the_serving_path_imports_no_torch(bot):
    """Opening the assistant and answering loads neither torch nor sentence-transformers."""
    script = ("import sys\nfrom assistant import Assistant\n"
              f"bot = Assistant.open(corpus_dir={str(bot.corpus_dir)!r}, index_dir={str(bot.index_dir)!r})\n"
              "reply = bot.ask('When was AVSF founded?')\n"
              "print(reply.answered, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False"]


def test_questions_asked_at_once_each_get_their_own_vectors(encoders):
    """The chat answers several questions at once: each gets its own two vectors, as if asked alone."""
    questions = ["Quand AVSF a-t-elle été fondée ?", "How many families are in the network?",
                 "What does NAMAC stand for?", "Wie viele Genossenschaften gibt es?"]
    alone = {q: {e.name: e.encode_query(q) for e in encoders} for q in questions}
    asked = questions * 3
    with ThreadPoolExecutor(len(questions)) as pool:
        together = list(pool.map(lambda q: encode_queries(encoders, q), asked))
    for question, vectors in zip(asked, together):
        assert list(vectors) == [e.name for e in encoders]
        for name, vector in vectors.items():
            assert np.allclose(vector, alone[question][name], atol=1e-5), (question, name)
