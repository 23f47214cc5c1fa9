"""Randomised input, property-based (hypothesis, a fixed seed and a bounded number of examples):
whatever a visitor types and whatever a corpus file holds, nothing raises, nothing hangs, no markup
gets through, and garbage is declined."""
from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import chunk_documents
from assistant.ingest.documents import load_corpus

SETTINGS = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ASK_SECONDS = 5.0  # far above any real question: a hang, not a slow answer, fails this
LIVE_MARKUP = re.compile(r"(?<!\\)<[a-zA-Z/!]|\]\((?:javascript|data):", re.I)


def any_text() -> st.SearchStrategy[str]:
    """Text in any script, with controls, markup and emoji mixed in, up to a long paste."""
    return st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=5000),
        st.lists(st.sampled_from(["<script>alert(1)</script>", "**", "[x](javascript:y)", "\u202e", "\x00",
                                  "AVSF", "NAMAC", "When was", "хэзээ", "quand", "🐐", " ", "\n", "?"]),
                 max_size=12).map("".join),
    )


def any_history() -> st.SearchStrategy[object]:
    message = st.one_of(
        st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "", 3]),
                               "content": st.one_of(any_text(), st.none(), st.integers(), st.lists(st.text()))}),
        st.none(), st.integers(), st.text(max_size=20), st.dictionaries(st.text(max_size=5), st.text(max_size=5)))
    return st.one_of(st.none(), st.lists(message, max_size=20))


def garbage() -> st.SearchStrategy[str]:
    """Words that are no words: consonant runs, as keyboards mashed."""
    word = st.from_regex(r"[bcdfghjklmnpqrstvwxz]{6,12}", fullmatch=True)
    return st.lists(word, min_size=1, max_size=5).map(" ".join)


@SETTINGS
@given(question=any_text(), history=any_history())
def test_any_question_and_history_get_a_reply_in_time_without_markup(bot, question, history):
    bot.prepare_languages()  # (a no-op when the index keeps the means) a language's first question is not the one timed
    started = time.perf_counter()
    reply = bot.ask(question, history=history)  # type: ignore[arg-type]  # visitors' APIs send anything
    assert time.perf_counter() - started < ASK_SECONDS
    assert isinstance(reply.text, str) and reply.text.strip()
    assert not LIVE_MARKUP.search(reply.text), reply.text


@SETTINGS
@example(question="bpjkbb")  # found by this test with more examples
@given(question=garbage())
def test_garbage_is_declined(bot, question):
    assert not bot.ask(question).answered, question


@settings(max_examples=40, derandomize=True, deadline=None, database=None)
@given(files=st.lists(st.tuples(st.sampled_from([".pdf", ".html", ".md", ".txt"]), st.binary(max_size=4000)),
                      min_size=1, max_size=6))
def test_random_bytes_in_the_corpus_are_loaded_or_skipped_with_a_reason_and_chunking_never_fails(files):
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder)
        names = []
        for number, (suffix, content) in enumerate(files):
            names.append(f"file{number}{suffix}")
            (corpus / names[-1]).write_bytes(content)
        documents, skipped = load_corpus(corpus)
        loaded = {document.path for document in documents}
        assert loaded | set(skipped) == set(names) and not loaded & set(skipped)
        assert all(reason.strip() for reason in skipped.values()), skipped
        for chunk in chunk_documents(documents):
            assert chunk.text.strip() and chunk.sentences
