"""What one line of a document is: a heading-like fragment, a label, a web address, or prose.

Plain text marks no headings, and Markdown pages copied from a website carry lines such as
"Source: example.org/page" under their title: these rules keep such lines out of the sentence
that follows them, so that a quote is prose.
"""
from __future__ import annotations

import re

MAX_HEADING_WORDS = 8
MAX_HEADING_CHARS = 60
CLOSING_PUNCTUATION = ".!?:;,…"
SOURCE_LINE = re.compile(r"^source\s*:\s*(?:<\s*)?((?:https?://)?[\w.-]+\.[a-z]{2,}(?:/\S*)?)\s*>?$", re.I)
LABEL_LINE = re.compile(r"^[^\s:]{1,25}(?: [^\s:]+){0,2}\s*:\s+\S")  # "Source: ...", "Updated: 12 May"
URL_LINE = re.compile(r"^<?(?:https?://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)+/\S*$", re.I)
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s")
SENTENCE_END = ".!?…"


def is_plain_heading(line: str) -> bool:
    """A short line with no closing punctuation ("AVSF", "NAMAC") is a heading."""
    line = line.strip()
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and len(line.split()) <= MAX_HEADING_WORDS
        and line[-1] not in CLOSING_PUNCTUATION
        and any(char.isalpha() for char in line)
    )


def is_label_or_address(line: str) -> bool:
    """"Updated: May 2024", "Source: example.org/page" or a bare web address (no sentence end)."""
    return bool(URL_LINE.match(line) or LABEL_LINE.match(line)) and line[-1] not in SENTENCE_END


def stands_alone(line: str) -> bool:
    """A heading-like fragment, a label or an address: never the start of the next line's sentence.
    (A wrapped line of prose is long, or it continues a paragraph; a list item joins as before.)"""
    return not LIST_ITEM.match(line) and (is_plain_heading(line) or is_label_or_address(line))


def web_address(address: str) -> str:
    """A page's address as a link: "example.org/page" becomes "https://example.org/page"."""
    return address if address.lower().startswith("http") else f"https://{address}"
