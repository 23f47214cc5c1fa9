"""Corpus files -> documents made of headings and paragraphs.

Each loader keeps the document's visible text and marks its headings, so that
chunking can give every passage its heading path ("Our partners > AVSF").
Metadata (title, source URL, language) comes from Markdown front matter or a
sidecar file `<name>.meta.json` next to the document, so the union's own texts
stay byte for byte as they were given.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.ingest.html_text import html_text
from assistant.ingest.lines import SOURCE_LINE, is_label_or_address, is_plain_heading, stands_alone, web_address

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.json"
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


@dataclass
class Block:
    """A heading or a paragraph; `start` is its offset in the document text."""

    kind: str  # "heading" or "paragraph"
    text: str
    start: int
    level: int = 0


@dataclass
class Document:
    path: str  # relative to the corpus folder
    title: str
    text: str
    blocks: list[Block]
    source: str | None = None
    language: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)  # front matter and sidecar values
    translation_of: str | None = None  # the corpus path of the document this one translates


class UnreadableDocument(Exception):
    """A corpus file that exists but cannot be parsed."""


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file under the corpus folder, in a stable order."""
    files = []
    for path in sorted(Path(corpus_dir).rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name.endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            log.warning("skipping %s: unsupported file type", path)
            continue
        files.append(path)
    return files


def load_corpus(corpus_dir: Path) -> tuple[list[Document], dict[str, str]]:
    """Load every readable document; return them and {path: error} for the rest."""
    documents, errors = [], {}
    for path in corpus_files(corpus_dir):
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            documents.append(load_document(path, relative))
        except Exception as error:  # one bad file must never stop the build
            log.error("skipping %s: %s", relative, error)
            errors[relative] = str(error)
    return documents, errors


def load_document(path: Path, relative: str | None = None) -> Document:
    """Parse one file by its type."""
    suffix = path.suffix.lower()
    meta = _read_sidecar(path)
    if suffix == ".pdf":
        text = _pdf_text(path)
        blocks = _plain_text_blocks(text)
    else:
        raw = _read_text(path)
        if suffix in (".md", ".markdown"):
            front, raw = _split_front_matter(raw)
            meta = {**front, **meta}
            text, blocks = raw, _markdown_blocks(raw)
        elif suffix in (".html", ".htm"):
            text, parts, html_title = html_text(raw)
            blocks = [Block(*part) for part in parts]
            if html_title:
                meta.setdefault("title", html_title)
        else:
            text, blocks = raw, _plain_text_blocks(raw)
    source_line = _take_source_line(blocks)
    if not any(block.kind == "paragraph" for block in blocks):
        raise UnreadableDocument("no readable text")
    return Document(
        path=relative or path.name,
        title=str(meta.get("title") or _title_from_name(path)),
        text=text,
        blocks=blocks,
        source=meta.get("source") or source_line,
        language=str(meta.get("language") or "en"),
        meta=meta,
        translation_of=str(meta["translation_of"]) if meta.get("translation_of") else None,
    )


def declared_metadata(path: Path) -> dict[str, Any]:
    """What a file says of itself (its sidecar over its Markdown front matter), without parsing its text:
    enough to tell a translation from an original, and their languages."""
    meta = _read_sidecar(path)
    if path.suffix.lower() in (".md", ".markdown"):
        try:
            front, _ = _split_front_matter(_read_text(path))
        except (OSError, UnreadableDocument):
            front = {}
        meta = {**front, **meta}
    return meta


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(f"not UTF-8 text ({error.reason})") from error


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("ignoring metadata %s: %s", sidecar, error)
        return {}
    return meta if isinstance(meta, dict) else {}


def _title_from_name(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip().capitalize()


def _take_source_line(blocks: list[Block]) -> str | None:
    """A first paragraph that is only "Source: <address>" is the document's web page, not its text."""
    first = next((block for block in blocks if block.kind == "paragraph"), None)
    match = SOURCE_LINE.match(first.text) if first else None
    if not first or not match:
        return None
    blocks.remove(first)
    return web_address(match.group(1))


def _lines_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield line.rstrip("\r\n"), offset
        offset += len(line)


def _plain_text_blocks(text: str) -> list[Block]:
    """One paragraph per non-empty line; short unpunctuated lines are headings."""
    blocks = []
    for line, offset in _lines_with_offsets(text):
        stripped = line.strip()
        if not stripped:
            continue
        start = offset + line.index(stripped)
        kind = "heading" if is_plain_heading(stripped) else "paragraph"
        blocks.append(Block(kind, stripped, start, level=1 if kind == "heading" else 0))
    return _demote_trailing_headings(blocks)


def _demote_trailing_headings(blocks: list[Block]) -> list[Block]:
    """A "heading" with no text after it is really a short paragraph."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].kind != "heading":
            break
        blocks[index].kind, blocks[index].level = "paragraph", 0
    return blocks


MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _markdown_blocks(text: str) -> list[Block]:
    """`#` lines are headings; runs of other lines are paragraphs (markup kept verbatim)."""
    blocks: list[Block] = []
    in_code, joining = False, False
    for line, offset in _lines_with_offsets(text):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code, joining = not in_code, False
            continue
        match = None if in_code else MARKDOWN_HEADING.match(stripped)
        if not stripped or (match and match.group(2)):
            joining = False
            if match:
                heading = match.group(2)
                start = offset + line.index(heading)
                blocks.append(Block("heading", heading, start, len(match.group(1))))
            continue
        start = offset + line.index(stripped)
        if joining and not _kept_apart(blocks[-1], stripped):
            previous = blocks[-1]
            previous.text = text[previous.start:start + len(stripped)]
        else:
            blocks.append(Block("paragraph", stripped, start))
        joining = True
    return blocks


def _kept_apart(previous: Block, line: str) -> bool:
    """A paragraph's first line that stands alone, followed by a new sentence, is not glued to it:
    a heading-like fragment becomes a (deepest) heading, a label or an address its own paragraph.
    A wrapped first line of prose goes on in lower case ("The herders keep goats / in the ...")."""
    if "\n" in previous.text or not stands_alone(previous.text) or line[:1].islower():
        return False
    if not is_label_or_address(previous.text):
        previous.kind, previous.level = "heading", 6
    return True


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Read simple `key: value` front matter; the body keeps its own offsets."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("'\"")
    body = " " * match.end() + text[match.end():]  # blank the header, keep offsets
    return meta, body


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableDocument(f"unreadable PDF ({error})") from error
    return "\n".join(pages)
