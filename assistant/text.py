"""Text helpers with one home each: a visitor's text cleaned, accent folding, Markdown escaping and stripping,
safe links, hashes."""
from __future__ import annotations

import hashlib
import re
import unicodedata

# Markdown's and HTML's markup characters: escaped, "<b>" is no tag, "[x](javascript:...)" no link, "**" no bold
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~])")
MARKS_AND_ESCAPES = re.compile(r"\\(.)|\*\*|_")  # an escaped character, or a bold or italic mark
WEB_LINK = re.compile(r"^https?://[^\s<>\"']+$")


def clean_question(question: object) -> str:
    """Text only: drop control characters (NUL, bidi overrides) and surrounding space."""
    text = question if isinstance(question, str) else ""
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lowercase and strip accents: "Vétérinaires" -> "veterinaires"."""
    if text.isascii():  # nothing to decompose: the character loop below is most of a build's BM25 time
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded_words(text: str) -> str:
    """Case, accents, punctuation and spacing ignored: "AVSF founded?" == "avsf  founded"."""
    return " ".join(re.findall(r"[^\W_]+", fold(text or "")))


def escape_markdown(text: str) -> str:
    """Corpus or visitor text shown as text: Markdown and HTML characters lose their meaning."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def plain_text(markdown: str) -> str:
    """A reply as a visitor reads it: no bold or italic marks, no escapes (for logs, tables, metrics).
    Text from the corpus or a visitor has its own "*" and "_" escaped, so every unescaped one is a mark."""
    return MARKS_AND_ESCAPES.sub(lambda match: match.group(1) or "", markdown)


def safe_url(url: str | None) -> str | None:
    """A plain web link (no javascript: or data: URLs), its brackets percent-encoded so that it
    stays whole inside a Markdown link ("Cashmere_(wool)"); None otherwise."""
    url = (url or "").strip()
    return url.replace("(", "%28").replace(")", "%29") if WEB_LINK.match(url) else None


def text_hash(model_id: str, text: str) -> str:
    """The key of a text's vector in a cache: the same text under another model is another vector."""
    return hashlib.sha1(f"{model_id}\n{text}".encode()).hexdigest()
