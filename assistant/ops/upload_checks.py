"""Checks on a staff upload, made before anything is written: its name, size, content and source link.

An allowed name (.md, .txt, .html, .pdf; the name is reduced to its last
component and safe characters, so `../../etc/passwd.md` becomes
`corpus/passwd.md`), a size limit, and its content (a PDF must start with %PDF
and parse; text must be UTF-8 without NUL bytes and not an executable or
archive; every file must yield readable text), and what it declares itself (a
translation of a corpus original, in another language). A refused upload changes
nothing.
"""
from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.answer.messages import SOURCE_NOTE
from assistant.ingest.chunking import chunk_documents
from assistant.ingest.documents import SIDECAR_SUFFIX, Document, load_document
from assistant.text import safe_url

ALLOWED_SUFFIXES = (".md", ".txt", ".html", ".pdf")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_NAME_CHARS = 80
DOCUMENT_LANGUAGES = tuple(SOURCE_NOTE)  # the languages replies are given in: a translation is quoted in them
# Signatures of executables and archives: never a document, whatever the name says.
BINARY_SIGNATURES = {
    b"\x7fELF": "a Linux executable",
    b"MZ": "a Windows executable",
    b"\xcf\xfa\xed\xfe": "a macOS executable",
    b"\xfe\xed\xfa\xcf": "a macOS executable",
    b"\xca\xfe\xba\xbe": "a macOS or Java binary",
    b"PK\x03\x04": "a ZIP archive (or Office file)",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old Office document",
}


class UploadRefused(ValueError):
    """An upload that was not added; the message says why, for staff."""


def safe_name(name: str) -> str:
    """The upload's file name reduced to a safe name inside corpus/ (or refused)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", str(name or "")))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(ALLOWED_SUFFIXES)
        raise UploadRefused(f"“{base or name}” is not an accepted document: only {allowed} files can be added.")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem)
    stem = re.sub(r"[-.]{2,}", "-", stem).strip("-._")[:MAX_NAME_CHARS].strip("-._")
    return f"{stem or 'document'}{suffix}"


def check_content(data: bytes, suffix: str, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse content that is empty, too large, or not what its name says."""
    if not data:
        raise UploadRefused("The file is empty.")
    if len(data) > limit:
        raise UploadRefused(f"The file is too large ({len(data) / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB).")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            kind = _signature(data)
            raise UploadRefused(f"This is not a PDF{f' but {kind}' if kind else ''}: its content does not "
                                "start with %PDF. Nothing was changed.")
        return
    kind = _signature(data)
    if kind:
        raise UploadRefused(f"A {suffix} file must be text, but this is {kind}. Nothing was changed.")
    if b"\x00" in data:
        raise UploadRefused("This file contains binary data (NUL bytes), not text. Nothing was changed.")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused(f"This file is not UTF-8 text ({error.reason} at byte {error.start}). "
                            "Save it as UTF-8 and try again. Nothing was changed.") from error


def _signature(data: bytes) -> str | None:
    for magic, kind in BINARY_SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def source_link(url: str | None) -> str | None:
    """The document's source link: None when blank, refused when it is not a plain web link."""
    if not (url or "").strip():
        return None
    link = safe_url(url)
    if link is None:
        raise UploadRefused("The source link must be a web address starting with http:// or https://.")
    return link


def document_language(code: str | None) -> str | None:
    """Staff's choice of the document's language: None when left to the file, refused when not one
    the assistant answers in."""
    code = (code or "").strip().lower()
    if code and code not in DOCUMENT_LANGUAGES:
        raise UploadRefused(f"“{code}” is not a language the assistant answers in ({', '.join(DOCUMENT_LANGUAGES)}).")
    return code or None


def check_translation(name: str, language: str, original: str | None, corpus: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse a translation the index could not align: its original must be another document of the
    corpus, not a translation itself, and in another language. `corpus` is what each corpus document
    declares (`declared_metadata`), by its corpus path; `name` may be among them (a replacement)."""
    if not original:
        return
    if original == name:
        raise UploadRefused(f"“{name}” cannot be a translation of itself: choose its original. Nothing was changed.")
    translated_here = sorted(path for path, meta in corpus.items() if meta.get("translation_of") == name)
    if translated_here:
        raise UploadRefused(f"“{name}” is the original of {', '.join(translated_here)}: it cannot become a "
                            "translation itself. Nothing was changed.")
    if original not in corpus:
        raise UploadRefused(f"“{original}”, named as the original, is not a document of the corpus: choose one "
                            "of the listed documents. Nothing was changed.")
    its_original = corpus[original].get("translation_of")
    if its_original:
        raise UploadRefused(f"“{original}” is itself a translation (of {its_original}): name the original, "
                            f"“{its_original}”. Nothing was changed.")
    original_language = str(corpus[original].get("language") or "en")
    if language == original_language:
        raise UploadRefused(f"“{name}” would be in the same language as its original “{original}” ({language}): "
                            "choose the language the translation is in. Nothing was changed.")


def check_readable(name: str, data: bytes, meta: dict[str, str]) -> tuple[Document, int]:
    """Parse a copy outside corpus/ exactly as the index will (the file's own metadata under staff's
    `meta`): the document as read, and the passages it yields; none is refused."""
    with tempfile.TemporaryDirectory(prefix="upload-check-") as folder:
        copy = Path(folder) / name
        copy.write_bytes(data)
        if meta:
            copy.with_name(copy.name + SIDECAR_SUFFIX).write_text(json.dumps(meta), encoding="utf-8")
        try:
            document = load_document(copy, name)
            chunks = chunk_documents([document])
        except Exception as error:  # pypdf and the parsers raise many kinds
            raise UploadRefused(f"“{name}” could not be read ({error}). Nothing was changed.") from error
    if not chunks:
        raise UploadRefused(f"“{name}” has no readable text. Nothing was changed.")
    return document, len(chunks)
