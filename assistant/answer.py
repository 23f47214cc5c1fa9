"""Retrieved passages -> the reply: one or two verbatim corpus sentences, or an honest decline.

Nothing is generated. Candidate sentences from the best passages are ranked by
both dense models, BM25 and the passage rank (weights in `core`); the reply quotes the best one
(plus the sentence before it when it leans on it) and bolds the phrase that
answers. Whether to answer at all is decided in `core` from the sentences' scores.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .chunking import LEANING_START, Chunk
from .index import Index
from .language import SOURCE_NOTE
from .lexical import shares_a_word, tokenize
from .retrieval import Retrieval

MAX_ANSWER_WORDS = 60
PASSAGES_SHOWN = 3
# Fragments ("Respectful of man, animal and their environment.") match many questions loosely;
# sentences get a small bonus for length, up to this many words.
FULL_LENGTH_WORDS = 40
# When the runner-up is the very next or previous sentence and scores within this margin, the
# ranking cannot tell them apart: both are quoted (XQuAD en, reply holds the gold answer: +0.8 to +1 pt).
ADJACENT_TIE_MARGIN = 0.25
# "Sustainable Cashmere Union and its members are among them." and "In 2014, it created ..." mean
# nothing without the sentence before them. They are not embedded with it (as a sentence that starts by
# leaning is): their own words are what questions match. They are only quoted with it.
REFERS_BACK = re.compile(r"\b(?:among|of|from|with|like) them\W*$|^(?:[\w’'-]+ ){0,4}[\w’'-]+, (?:it|they|he|she)\b",
                         re.I)

@dataclass
class Source:
    title: str
    section: str
    text: str
    path: str
    score: float
    url: str | None = None
    chunk_id: int = -1


@dataclass
class Reply:
    answered: bool
    text: str
    sources: list[Source] = field(default_factory=list)
    language: str = "en"
    examples: list[str] = field(default_factory=list)
    query: str = ""  # the question after follow-up rewriting and spelling correction
    trace: dict = field(default_factory=dict)  # ranks and scores behind the reply, for staff


@dataclass
class Candidate:
    chunk: Chunk
    sentence: int  # index within the chunk
    row: int  # sentence row in the index
    score: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)
    answer_span: tuple[int, int] | None = None  # where the reader, when sure, sees the answer in the sentence


def rank_sentences(index: Index, retrieval: Retrieval, question: str, weights: dict[str, float],
                   chunk_limit: int = 4) -> list[Candidate]:
    """Score every sentence of the top chunks: a weighted sum of the dense, lexical and passage
    signals, each scaled to 0..1 over the candidates (so a clear lead counts, unlike with ranks),
    plus a bonus when the sentence holds what the question asks for (its year, a count)."""
    hits = retrieval.hits[:chunk_limit]
    candidates = [Candidate(hit.chunk, i, row) for hit in hits
                  for i, row in enumerate(index.sentence_rows(hit.chunk.id))]
    if not candidates:
        return []
    signals = _signals(index, retrieval, hits, candidates)
    for name, values in signals.items():
        spread = float(values.max() - values.min())
        contributions = (values - values.min()) / spread if spread > 0 else np.zeros(len(values))
        for candidate, value, contribution in zip(candidates, values, contributions):
            candidate.signals[name] = float(value)
            candidate.score += weights.get(name, 0.0) * float(contribution)
    for candidate in candidates:
        sentence = candidate.chunk.sentences[candidate.sentence]
        candidate.signals["fit"] = answer_fit(sentence.context, question)
        candidate.signals["length"] = min(len(sentence.text.split()), FULL_LENGTH_WORDS) / FULL_LENGTH_WORDS
        candidate.score += sum(weights.get(name, 0.0) * candidate.signals[name] for name in ("fit", "length"))
    return sorted(candidates, key=lambda c: -c.score)


def _signals(index: Index, retrieval: Retrieval, hits, candidates: list[Candidate]) -> dict[str, np.ndarray]:
    rows = np.array([c.row for c in candidates])
    signals = {name: index.dense[name].sentence_vectors[rows] @ vector
               for name, vector in retrieval.query_vectors.items()}
    signals["bm25"] = index.bm25_sentences.scores(retrieval.query)[rows]
    chunk_rank = {hit.chunk.id: rank for rank, hit in enumerate(hits)}
    signals["passage"] = -np.array([chunk_rank[c.chunk.id] for c in candidates], dtype=np.float32)
    return signals


NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def answer_fit(sentence: str, question: str) -> float:
    """How well the sentence fits the question's form: it repeats the question's numbers
    ("in 2014"), holds the kind of answer asked for (a year for "when", a count for "how many",
    a stated aim for "what is your goal?"), and that answer names what was asked about ("11
    cooperatives" for "how many cooperatives", or for "cuántas cooperativas"); for "what kind of
    support", it qualifies the support; for "what kinds of ...?" or "who are ...?", it lists."""
    asked_numbers = set(NUMBER.findall(question))
    fit = float(len(asked_numbers & set(NUMBER.findall(sentence))))
    # a qualified X both holds the kind of answer asked for and names X: two points, like a count
    # that names what was counted
    fit += 2.0 * qualifies_the_asked_thing(sentence, question)
    # "what kinds of organisations?", "who are the stakeholders?": a list answers ("institutions, NGOs, ...")
    fit += float(bool(LIST_QUESTION.match(question) and ENUMERATION.search(sentence)))
    asked = set(tokenize(question))
    kind = question_kind(question)
    pattern = ANSWER_PATTERNS.get(kind)
    if pattern is None:
        return fit
    answers = _new_matches(pattern, sentence, asked)
    # a stated aim ("The objective is to market ...") answers "what is your goal?" whole, as a
    # count that names what was counted answers "how many"
    fit += (2.0 if kind == "purpose" else 1.0) * bool(answers)
    if kind in TYPED_KINDS:
        fit += float(any(shares_a_word(question, answer) for answer in answers))
    return fit


SORT_QUESTION = re.compile(r"^\W*(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of\s+([^\W\d_][\w-]*)", re.I)
LIST_QUESTION = re.compile(r"^\W*(?:(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of|who\s+(?:are|were))\b", re.I)
ENUMERATION = re.compile(r"[\w-]+(?:, [\w-]+)+,? (?:and|or) [\w-]+|[\w-]+(?:, [\w-]+){3,}")


def qualifies_the_asked_thing(sentence: str, question: str) -> bool:
    """For "What kind of X?": the sentence names X after a word the question does not have
    ("technical, logistical or financial support", not "is supported by")."""
    asked_for = SORT_QUESTION.match(question)
    thing = tokenize(asked_for.group(1)) if asked_for else []
    if not thing:
        return False
    asked = set(tokenize(question))
    previous = None
    for word in re.findall(r"[\w-]+", sentence):
        stems = tokenize(word)  # empty for a stopword
        if stems and stems[0] == thing[0] and previous and previous[0] not in asked:
            return True
        previous = stems
    return False


def _new_matches(pattern: str, sentence: str, asked: set[str]) -> list[str]:
    """Matches that bring something the question does not already say ("2014" asked, "1977" new)."""
    return [m.group(0) for m in re.finditer(pattern, sentence) if not set(tokenize(m.group(0))) <= asked]


@lru_cache(maxsize=1024)  # asked once per candidate sentence, and again to quote and to bold
def question_kind(question: str) -> str | None:
    """What the question asks for, from its question word: the earliest (then longest) one found
    among its first words ("How many seconds were left when..." asks for a count, "What was the
    tribe ... when he was 16?" for no date); anywhere in Cyrillic questions, whose question word
    comes late ("NAMAC хэдэн онд ..."), and for contact details or another name ("What is the email
    of ...", "What is the bad air theory officially known as?")."""
    folded = question.lower()
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in folded)
    found = []
    for kind, question_words in KIND_WORDS.items():
        for match in re.finditer(rf"\b(?:{question_words})\b", folded):
            if (cyrillic or kind in ANYWHERE_KINDS
                    or len(folded[:match.start()].split()) <= MAX_WORDS_BEFORE_QUESTION_WORD):
                found.append((match.start(), -len(match.group(0)), kind))
    return min(found)[2] if found else None


def without_question_words(question: str) -> str:
    """What the question asks about: the question without the words that ask ("how big", "when")."""
    kind = question_kind(question)
    return re.sub(rf"\b(?:{KIND_WORDS[kind]})\b", " ", question.lower()) if kind else question


def expected_answer(question: str) -> str | None:
    """The pattern of a dated, counted, priced or contact answer ("when", "how many", "what
    does it cost", "email"), or None."""
    kind = question_kind(question)
    return ANSWER_PATTERNS[kind] if kind in TYPED_KINDS else None


def quote(index: Index, candidates: list[Candidate]) -> list[str]:
    """The best sentence, joined by the one before when it leans on it ("It now forms..." needs
    "In 2022, ..."), or by an adjacent one that scores as well (an answer spread over two
    sentences); never over the limit."""
    best = candidates[0]
    sentence = best.chunk.sentences[best.sentence].text
    before = sentence_before(index, best)
    if before and (LEANING_START.match(sentence) or REFERS_BACK.search(sentence)):
        pair = [before, sentence]
        earlier = sentence_before(index, best, 2) if LEANING_START.match(before) else None
        if earlier and _word_count([earlier, *pair]) <= MAX_ANSWER_WORDS:
            return [earlier, *pair]  # "AVSF is ... Its missions ... In 2014, it created ..."
    elif _adjacent_tie(candidates):
        runner_up = candidates[1]
        pair = [sentence, runner_up.chunk.sentences[runner_up.sentence].text]
        pair = pair if runner_up.sentence > best.sentence else pair[::-1]
    else:
        return [sentence]
    return pair if _word_count(pair) <= MAX_ANSWER_WORDS else [sentence]


def _word_count(sentences: list[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


def sentence_before(index: Index, candidate: Candidate, steps: int = 1) -> str | None:
    """The sentence `steps` before the candidate in its section, even across a chunk boundary."""
    chunk, position = candidate.chunk, candidate.sentence
    for _ in range(steps):
        position -= 1
        if position < 0:
            chunk = _same_section_chunk(index, chunk, -1)
            if chunk is None:
                return None
            position = len(chunk.sentences) - 1
    return chunk.sentences[position].text


def _adjacent_tie(candidates: list[Candidate]) -> bool:
    if len(candidates) < 2:
        return False
    best, runner_up = candidates[0], candidates[1]
    return (runner_up.chunk.id == best.chunk.id and abs(runner_up.sentence - best.sentence) == 1
            and best.score - runner_up.score <= ADJACENT_TIE_MARGIN)


def _same_section_chunk(index: Index, chunk: Chunk, step: int) -> Chunk | None:
    position = chunk.id + step
    if not 0 <= position < len(index.chunks):
        return None
    other = index.chunks[position]
    return other if (other.path, other.section) == (chunk.path, chunk.section) else None


def continuation(index: Index, previous_reply: str) -> tuple[Chunk, list[str]] | None:
    """For "tell me more": the sentences that follow the previous reply's quote in its section
    (across chunk boundaries), up to the word limit, with their chunk; no sentences when the
    section ends there. None when that reply quoted no indexed sentence. A quote cut at the word
    limit ends inside a sentence, which is then quoted whole."""
    quoted = quoted_part(plain_text(previous_reply))
    start = _first_quoted_sentence(index, quoted)
    if start is None:
        return None
    following = list(_section_from(index, *start))
    while following and following[0][1] in quoted:
        following.pop(0)
    taken: list[str] = []
    for _, sentence in following:
        if taken and _word_count([*taken, sentence]) > MAX_ANSWER_WORDS:
            break
        taken.append(sentence)
    return (following[0][0] if following else start[0]), taken


def _first_quoted_sentence(index: Index, quoted: str) -> tuple[Chunk, int] | None:
    """The first indexed sentence the quote holds, or begins with when one sentence alone was cut."""
    cut = quoted.removesuffix("…").rstrip() if quoted.endswith("…") else None
    for chunk in index.chunks:
        for position, sentence in enumerate(chunk.sentences):
            if sentence.text in quoted or (cut and sentence.text.startswith(cut)):
                return chunk, position
    return None


def _section_from(index: Index, chunk: Chunk, position: int):
    """(chunk, sentence text) from this sentence to the end of its section."""
    while chunk is not None:
        yield from ((chunk, sentence.text) for sentence in chunk.sentences[position:])
        chunk, position = _same_section_chunk(index, chunk, +1), 0


def quoted_part(text: str) -> str:
    """The quote of a reply, between its “ and ” (the source note and citation left out)."""
    match = re.search(r"“(.*)”", text, re.S)
    return match.group(1) if match else text


def trim_words(text: str, limit: int = MAX_ANSWER_WORDS) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]) + " …"


# ---------------------------------------------------------------- highlighting

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
YEAR = (r"\b(?:(?:1\d|20)\d\d(?:s\b)?|\d{1,2}(?:st|nd|rd|th) century|"
        rf"(?:{MONTHS})(?: \d{{1,2}})?|\d[\d,.]* (?:million |billion |thousand )?years ago)\b")
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                "dozens?|hundreds?|thousands?|millions?|billions?|once|twice|thrice")
NUMBER_PHRASE = (r"\b(?:more than |approximately |about |over |some |nearly |almost )?"
                 rf"(?:(?!(?:1[89]|20)\d\d\b)\d+(?:[,.:]\d+)*|(?i:{NUMBER_WORDS})\b)(?: [^\W\d]+){{0,2}}")
PLACE = r"(?<=[a-z,] )[A-Z][\w'’-]+(?:(?:,| and)? [A-Z][\w'’-]+)*"
PURPOSE = r"\b(?:objective|aim|goal|purpose|in order to|so that|so as to|because|in return)\b"
# An aim stated, with what it is ("The objective is to market the cashmere", "Its missions ... revolve
# around helping", "aims to"): the answer to "what is the goal?", whatever word the visitor uses.
AIM = (r"\b(?:(?:objectives?|aims?|goals?|purposes?|missions?)\b(?:,? [\w-]+,?){0,2} "
       r"(?:is|are|was|were|revolves? around|consists? (?:of|in))|(?:aims?|seeks?|strives?) to|in order to)"
       r"(?: [\w’'-]+){1,3}")
# Another name given: "also known as X", "officially called X", "rotors (rotating discs)", "rotors or discs".
ALIAS = (r"\b(?:(?:also|officially|commonly|often|sometimes|usually|formally|better|now|originally|widely) )?"
         r"(?:known|referred to|called|named|termed|dubbed|nicknamed) (?:as )?[\w'’-]+(?: [\w'’-]+){0,2}|"
         r"\((?:or |also |i\.e\. )?[^)]{2,40}\)|\b(?:or|aka|i\.e\.) [\w'’-]+")
CURRENCY = r"[$€£¥₮]|\b(?:euros?|dollars?|pounds?|yen|tugriks?|t[öo]gr[öo]gs?|төгрөг|USD|EUR|MNT)\b"
PRICE = rf"(?:{CURRENCY})\s?\d|\d[\d,.]*\s?(?:{CURRENCY})"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
PHONE = r"\+?\d[\d ().-]{6,}\d"
# An office named in the quote: who holds it is then likely named beside it ("X, president of Y").
ROLE = (r"(?i)\b(?:ceo|chief executive|president\w*|direct(?:or|ors|ress|ed by)|chair\w*|"
        r"manag(?:er|ers|ing director)|secretar(?:y|ies)|coordinat(?:or|ors|ed by)|spokes\w+|treasurer|"
        r"found(?:er|ers|ed by)|head(?:ed by| of))\b")
STREET_ADDRESS = (r"\b(?:street|st\.|road|avenue|boulevard|lane|square|rue|chemin|calle|avenida|stra(?:ss|ß)e|"
                  r"гудамж|хороо|P\.? ?O\.? Box|BP)\b")
# Question words by the kind of answer they ask for, in the five supported languages.
KIND_WORDS = {
    "year": "what year|which year|en quelle année|in welchem jahr|en qué año|хэдэн онд|аль онд",
    "when": "when|since when|quand|depuis quand|wann|seit wann|cuándo|cuando|хэзээ",
    "count": ("how many|how much|how large|how big|number of|combien|wie viele|wie viel|anzahl|cuántos|cuántas|"
              "cuantos|cuantas|хэдэн|хэд|хичнээн"),
    "where": r"where|which region|which regions|which country|où|wo|dónde|donde|хаана|аль (?:аймаг|аймг|бүс)\w*",
    "why": "why|pourquoi|warum|por qué|яагаад",
    "purpose": (r"what (?:is|are|was|were) (?:the |its |their |your |our )?(?:[\w'’]+ ){0,4}?"
                r"(?:objectives?|aims?|goals?|purposes?|missions?)|what for|"
                r"what (?:does|do|did|is|are) (?:[\w'’]+ ){0,4}?(?:wants?|aim(?:s|ing)?|seek(?:s|ing)?|"
                r"try|tries|trying|hop(?:e|es|ing)|intend(?:s|ing)?) to (?:achieve|do|accomplish)|"
                r"quel(?:le)?s? (?:est|sont) (?:le but|l'objectif|les objectifs|la mission|les missions)|"
                r"à quoi sert|was (?:ist|sind) (?:das ziel|die ziele|der zweck|die mission)|welche ziele|"
                r"cu[aá]l(?:es)? (?:es|son) (?:el objetivo|los objetivos|la meta|la misi[oó]n|el prop[oó]sito)|"
                r"зорилго"),
    # another name for something: asked for anywhere ("What is the bad air theory officially known as?")
    "alias": (r"(?:another|other|different|alternative|official|common|popular|full) (?:term|name|word|"
              r"way of referring|title|designation)s?|nickname|(?:also|officially|commonly|often|sometimes|"
              r"usually|formally|better|now|originally) (?:known|referred to|called|named|termed) as|"
              r"(?:known|referred to) as\b|what (?:is|was|are|were) (?:[\w'’-]+ ){1,6}?(?:called|named|termed)\b|"
              r"(?:aussi|également|autrement) (?:appel[ée]e?s?|nomm[ée]e?s?)|connue? sous le nom|"
              r"auch genannt|bekannt als|tambi[ée]n llamad[oa]s?|conocid[oa]s? como"),
    "price": (r"how much (?:\w+ ){0,6}?(?:costs?|earns?|earned|paid)\b|"
              r"what (?:does|do|did|would|will) (?:\w+ ){0,6}?cost|what is the price|what are the prices|"
              r"combien co[uû]te(?:nt)?|quel est le prix|quels sont les prix|cu[aá]nto cuestan?|wie ?viel kostet|"
              r"was kostet|хэдэн төгрөг|ямар үнэтэй|"
              r"үнэ нь хэд"),
    "role": (r"who(?:'s| is| was| are| were) (?:the |its |their |your |our )?(?:[\w'’]+ ){0,3}?"
             r"(?:ceo|chief executive|president|director|chair\w*|manager|secretary|coordinator|spokes\w+|"
             r"treasurer|founder|head)|"
             r"qui (?:est|sont|était|a été) (?:le |la |les |l')(?:\w+ ){0,2}?(?:pdg|président\w*|directeur|"
             r"directrice|responsable|fondat\w+|secrétaire|coordinat\w+|porte-parole|trésori\w+)|"
             r"qui[eé]n(?:es)? (?:es|son|era|fue) (?:el |la |los |las )(?:\w+ ){0,2}?(?:presidente\w*|"
             r"director\w*|fundador\w*|secretari\w+|coordinador\w*|portavoz|tesorer\w+|gerente|jefe)|"
             r"wer (?:ist|war|sind) (?:der |die |das )(?:\w+ ){0,2}?(?:präsident\w*|direktor\w*|"
             r"geschäftsführer\w*|vorsitzend\w*|gründer\w*|leiter\w*|sekretär\w*|sprecher\w*)|"
             r"ерөнхийлөгч|гүйцэтгэх захирал|захирал|дарга|үүсгэн байгуулагч"),
    # contact details: asked for anywhere in the question ("What is the street address of ...")
    "email": r"e-?mail|courriel|correo electr[oó]nico|имэйл|и-мэйл",
    "phone": r"phone|telephone|t[ée]l[ée]phone|tel[eé]fono|telefon(?:nummer)?|утасны дугаар",
    # Spanish "dirección" alone is also a direction
    "address": (r"(?:street|postal|mailing|office) address|address of|adresse|anschrift|хаяг|"
                r"direcci[oó]n (?:postal|de la oficina)|cu[aá]l es (?:la|su) direcci[oó]n"),
}
MAX_WORDS_BEFORE_QUESTION_WORD = 2  # "In what year ...", "And how many ..."
ANYWHERE_KINDS = {"email", "phone", "address", "alias"}
ANSWER_PATTERNS = {"year": YEAR, "when": YEAR, "count": NUMBER_PHRASE, "where": PLACE, "why": PURPOSE, "purpose": AIM,
                   "alias": ALIAS, "price": PRICE, "email": EMAIL, "phone": PHONE,
                   "address": STREET_ADDRESS, "role": ROLE}
# Answers we can recognise: bolded, and they steer the quote.
TYPED_KINDS = {"year", "when", "count", "price", "email", "phone", "address"}
# A quote without such an answer is declined ("when" can be a clause): on-topic questions the texts
# cannot answer ("How much does a sweater cost?", "What is your phone number?", "Who is the CEO?")
# are not met with a loosely related sentence. A role is required but not bolded: the answer is the
# name beside it.
STRICT_KINDS = TYPED_KINDS - {"when"} | {"role"}


def bold_answer(sentence: str, question: str, span: tuple[int, int] | None = None) -> str:
    """The sentence as Markdown, its answer in bold: the year, count, price or contact detail asked
    for where a pattern finds it, else the reader's `span` unless it only repeats the question's
    words; nothing otherwise (bold question words would point at nothing)."""
    pattern = expected_answer(question)
    spans = _answer_spans(sentence, pattern, question) if pattern else []
    if not spans and span and set(tokenize(sentence[span[0]:span[1]])) - set(tokenize(question)):
        spans = [span]
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces += [escape_markdown(sentence[position:start]), f"**{escape_markdown(sentence[start:end])}**"]
        position = end
    return "".join(pieces) + escape_markdown(sentence[position:])


def _answer_spans(sentence: str, pattern: str, question: str) -> list[tuple[int, int]]:
    """Matches of the answer pattern; those that share a word with the question, when any do."""
    matches = list(re.finditer(pattern, sentence))
    asked = set(tokenize(question))
    related = [m for m in matches if asked & set(tokenize(m.group(0)))]
    return [(m.start(), m.start() + len(m.group(0).rstrip(" ,."))) for m in (related or matches)]


def plain_text(markdown: str) -> str:
    """A reply as a visitor reads it: no bold marks or escapes (for logs, tables, metrics)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def escape_markdown(text: str) -> str:
    """Corpus text is shown as text: markup characters lose their meaning."""
    return re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", text)


def format_answer(sentences: list[str], question: str, language: str,
                  marked: tuple[str, tuple[int, int] | None] | None = None) -> str:
    """The quote with its answer in bold; `marked` is the reader's answer span in one sentence."""
    quoted = " ".join(bold_answer(sentence, question, marked[1] if marked and sentence == marked[0] else None)
                      for sentence in sentences)
    text = f"“{trim_words(quoted)}”"
    note = SOURCE_NOTE.get(language)
    return f"{text}\n\n_{note}_" if note else text


def sources_of(retrieval: Retrieval, candidates: list[Candidate], limit: int = PASSAGES_SHOWN) -> list[Source]:
    """The passages behind the reply, the quoted one first; relevance is each passage's best
    sentence score relative to the quoted sentence (passages with no scored sentence follow)."""
    best_in_chunk: dict[int, float] = {}
    for candidate in candidates:
        best_in_chunk.setdefault(candidate.chunk.id, candidate.score)
    top = candidates[0].score if candidates and candidates[0].score > 0 else 1.0
    order = sorted(retrieval.hits, key=lambda hit: -best_in_chunk.get(hit.chunk.id, -1.0))
    return [
        Source(hit.chunk.title, hit.chunk.section, hit.chunk.text, hit.chunk.path,
               round(max(best_in_chunk.get(hit.chunk.id, 0.0), 0.0) / top, 3), hit.chunk.source, hit.chunk.id)
        for hit in order[:limit]
    ]
