"""The tuned numbers and limits, one home each: retrieval, ranking, the decline, the reader, input.

Read as `settings.NAME` at call time, so that `bench/rule_ablation.py` can switch one off. How each
value was chosen is in docs/rules.md and docs/quality.md, with the benchmark that measures it.
"""
from __future__ import annotations

# ---------------------------------------------------------------- input and output limits
MAX_QUESTION_CHARS = 1000
RAW_QUESTION_LIMIT = 4 * MAX_QUESTION_CHARS  # beyond this, the text is too long whatever cleaning removes
HISTORY_MESSAGES = 12  # follow-ups are read against the last few turns only (the chat keeps as many)
MAX_ANSWER_WORDS = 60
PASSAGES_SHOWN = 3

# ---------------------------------------------------------------- retrieval
RRF_K = 60
CANDIDATES_PER_RETRIEVER = 20
SENTENCES_PER_CHUNK = 3  # sentences searched per chunk candidate: 60 for the default 20
# Questions not in English: the multilingual model alone, nudged by BM25 scores (names, numbers,
# cognates); as a rank in the fusion, BM25 noise displaced E5's best passage. MiniLM is English-only.
OTHER_LANGUAGE_MODELS = {"e5"}
OTHER_LANGUAGE_RETRIEVERS = {"e5": 1.0, "bm25": 0.0}
OTHER_LANGUAGE_LEXICAL_BOOST = 0.04
# English questions are searched with MiniLM and BM25 first; the slower multilingual model is added
# only when the best sentence leads the next by less than SETTLED_LEAD and MiniLM does not already
# decline (a larger lead sends most questions to E5, and ask's latency past its target).
ENGLISH_FIRST_PASS = {"minilm"}
SETTLED_LEAD = 0.4
# Half a language's mean question vector is taken away: the references are ordinary questions, not
# the visitors' own, and half helped every language where the whole mean cost German.
CENTERING_STRENGTH = 0.5

# ---------------------------------------------------------------- sentence ranking
# The sentences of this many passages, best fused first, are ranked: fewer drop answers, more let
# weak quotes through (docs/rules.md).
PASSAGES_RANKED = 4
# English weights are tuned on XQuAD's English questions (a broad plateau, stable across halves of
# the articles) and checked on the union set; other languages' on the union set. Both give the same
# length bonus: fragments ("Respectful of man, animal and their environment.") match many questions
# loosely, in every language, so sentences get a small bonus for length, up to FULL_LENGTH_WORDS.
LENGTH_WEIGHT = 0.2
ENGLISH_WEIGHTS = {"minilm": 1.0, "e5": 1.0, "bm25": 0.75, "passage": 0.4, "fit": 0.5, "length": LENGTH_WEIGHT}
OTHER_LANGUAGE_WEIGHTS = {"e5": 1.5, "bm25": 0.25, "passage": 0.6, "fit": 0.5, "length": LENGTH_WEIGHT}
FULL_LENGTH_WORDS = 40
# Sentences scoring within this margin of the best, the ranking cannot tell apart: the reader
# chooses among them (answer/reading.py), and the very next or previous sentence is quoted with it.
TIE_MARGIN = 0.25

# ---------------------------------------------------------------- answer or decline
# English: best MiniLM similarity plus its lead over the median candidate.
MIN_ENGLISH_EVIDENCE = 0.36
# or a visitor's bare keywords ("overgrazing", "dzud?"), all corpus words and all in the best
# sentence: MiniLM scores such short queries low.
MAX_KEYWORDS = 2
# Other languages (MiniLM is English-only): the multilingual E5 similarity, lower when the question
# shares words with the corpus.
MIN_MULTILINGUAL_SIMILARITY = 0.805
MIN_MULTILINGUAL_SIMILARITY_WITH_SHARED_WORDS = 0.78

# ---------------------------------------------------------------- the reader
READER_CANDIDATES = 6  # each costs one reader pass; the answering sentence is nearly always among them
# The reader's answer span is bolded only when it is more likely than not: a wrong phrase in bold
# misleads more than none.
SURE_SPAN = 0.5
