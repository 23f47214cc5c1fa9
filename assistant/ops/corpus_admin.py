"""Staff changes to the corpus: checked uploads, removals, and the background rebuild.

An upload passes `upload_checks` before anything is written; only then is it
written, atomically, into corpus/. A refused upload changes nothing. Staff may say
its language and the original it translates: these go into its sidecar, and only
when staff set them, so a file's own front matter is never overridden by a default.

Every change schedules one background rebuild (`Assistant.rebuild`: only changed
chunks are encoded, the new index is swapped in under a lock), so visitors keep
getting answers from the old index meanwhile. Changes made during a rebuild are
picked up by one more rebuild right after. `status()` reports the stage and,
when done, the chunks added and removed and the time taken.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.ingest.documents import SIDECAR_SUFFIX, corpus_files, declared_metadata
from assistant.ops.upload_checks import (
    MAX_UPLOAD_BYTES,
    UploadRefused,
    check_content,
    check_readable,
    check_translation,
    document_language,
    safe_name,
    source_link,
)

log = logging.getLogger(__name__)


class CorpusAdmin:
    """Add and remove corpus documents for one Assistant, and rebuild its index in the background."""

    def __init__(self, bot: Any, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self.bot = bot
        self.corpus_dir = Path(bot.corpus_dir)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # guards the rebuild state and the file changes
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._pending: list[str] = []
        self._status: dict[str, Any] = {"state": "idle", "reasons": [], "stage": "", "done": 0, "total": 0}
        self.history: list[dict[str, Any]] = []  # finished rebuilds, newest last

    # ------------------------------------------------------------ documents

    def documents(self) -> list[dict[str, Any]]:
        """Each corpus document with its size, its chunks in the live index, and any parse error;
        a translation says what it translates, and is flagged when its sections do not match."""
        index = self.bot.index
        chunks = Counter(chunk.path for chunk in [*index.chunks, *index.translations.chunks])
        skipped = index.manifest.get("skipped", {}) or {}
        translations = {report["document"]: report for report in index.manifest.get("translations", [])}
        rows = []
        for path in corpus_files(self.corpus_dir):
            relative = path.relative_to(self.corpus_dir).as_posix()
            stat = path.stat()
            if relative in skipped:
                state = f"not readable: {skipped[relative]}"
            elif relative in translations:
                state = translation_state(translations[relative])
            elif relative in chunks:
                state = "indexed"
            else:
                state = "waiting for the rebuild"
            rows.append({"document": relative, "size_kb": round(stat.st_size / 1024, 1),
                         "modified": time.strftime("%Y-%m-%d %H:%M", time.gmtime(stat.st_mtime)),
                         "chunks": chunks.get(relative, 0), "status": state})
        return rows

    def originals(self) -> list[str]:
        """The corpus documents a translation can be of: those that are not translations themselves."""
        return [path for path, meta in self._declared().items() if not meta.get("translation_of")]

    @staticmethod
    def declared_by(upload: str | os.PathLike[str]) -> dict[str, str]:
        """What an upload says of its own language and original in its front matter ("" when nothing)."""
        meta = declared_metadata(Path(upload))
        return {"language": str(meta.get("language") or ""), "translation_of": str(meta.get("translation_of") or "")}

    def add(self, upload: str | os.PathLike[str], original_name: str | None = None, *, title: str = "",
            source_url: str = "", language: str = "", translation_of: str = "", replace: bool = False,
            rebuild: bool = True) -> str:
        """Check an uploaded file and, only if it is fine, put it in corpus/ and schedule a rebuild.
        `language` and `translation_of` ("" = as the file says) declare it a translation of a corpus document."""
        upload = Path(upload)
        name = safe_name(original_name or upload.name)
        target = self._inside_corpus(name)
        url = source_link(source_url)
        meta = _metadata(title, url, document_language(language), (translation_of or "").strip())
        data = self._read_upload(upload)
        check_content(data, target.suffix, self.max_bytes)
        document, chunks = check_readable(name, data, meta)  # as the index will read it: staff's word over the file's
        with self._lock:
            if target.exists() and not replace:
                raise UploadRefused(f"“{name}” is already in the corpus: tick “replace” to update it, "
                                    "or rename the file.")
            check_translation(name, document.language, document.translation_of, self._declared())
            self._write(target, data, meta)
        log.info("staff added %s (%d chunks)", name, chunks)
        if rebuild:
            self.request_rebuild(f"added {name}")
        translation = (f", a translation ({document.language}) of {document.translation_of}"
                       if document.translation_of else "")
        return (f"Added **{name}** ({len(data) / 1024:.1f} KB, {chunks} passages{translation}). "
                + ("The index is being rebuilt; visitors keep getting answers meanwhile." if rebuild else ""))

    def remove(self, name: str, *, rebuild: bool = True) -> str:
        """Delete one listed document (and its metadata file), then schedule a rebuild."""
        listed = {p.relative_to(self.corpus_dir).as_posix(): p for p in corpus_files(self.corpus_dir)}
        if name not in listed:
            raise UploadRefused(f"“{name}” is not a document in the corpus.")
        if len(listed) == 1:
            raise UploadRefused("This is the last document: the corpus cannot be empty.")
        path = self._inside_corpus(name)
        with self._lock:
            path.unlink()
            path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
        log.info("staff removed %s", name)
        if rebuild:
            self.request_rebuild(f"removed {name}")
        return f"Removed **{name}**. The index is being rebuilt; visitors keep getting answers meanwhile."

    def _read_upload(self, upload: Path) -> bytes:
        """The upload's bytes; one over the size limit is refused before it is read."""
        try:
            size = upload.stat().st_size
        except OSError as error:
            raise UploadRefused("The upload could not be read; please try again.") from error
        if size > self.max_bytes:
            raise UploadRefused(f"The file is too large ({size / 1e6:.1f} MB; the limit is "
                                f"{self.max_bytes / 1e6:.0f} MB). Nothing was changed.")
        return upload.read_bytes()

    def _inside_corpus(self, name: str) -> Path:
        root = self.corpus_dir.resolve()
        target = (root / name).resolve()
        if not target.is_relative_to(root) or target == root:
            raise UploadRefused("That file name points outside the corpus.")
        return target

    def _declared(self) -> dict[str, dict[str, Any]]:
        """What each corpus document declares of itself, by its corpus path (read from the files, so
        a document waiting for the rebuild counts)."""
        return {path.relative_to(self.corpus_dir).as_posix(): declared_metadata(path)
                for path in corpus_files(self.corpus_dir)}

    def _write(self, target: Path, data: bytes, meta: dict[str, str]) -> None:
        """Write via a hidden temporary file (never indexed) and an atomic rename; the sidecar holds
        only what staff set (none: the file's own front matter, if any, speaks alone)."""
        sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
        if meta:
            _atomic_write(sidecar, json.dumps(meta, ensure_ascii=False, indent=2).encode())
        elif sidecar.exists():
            sidecar.unlink()
        _atomic_write(target, data)

    # ------------------------------------------------------------ rebuilding

    def request_rebuild(self, reason: str = "requested by staff") -> None:
        """Schedule a rebuild; if one is running, one more runs after it (changes are never missed)."""
        with self._lock:
            self._pending.append(reason)
            if self._thread is None:
                self._status = {"state": "running", "reasons": [], "stage": "starting", "done": 0, "total": 0,
                                "started": time.time()}
                self._thread = threading.Thread(target=self._work, name="corpus-rebuild", daemon=True)
                self._thread.start()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {**self._status, "pending": list(self._pending)}

    def wait(self, timeout: float = 120.0) -> dict[str, Any]:
        """Block until no rebuild is running or pending (tests, scripts); return the last status."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._thread is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the rebuild did not finish in time")
                self._idle.wait(remaining)
            return dict(self._status)

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    self._idle.notify_all()
                    return
                reasons, self._pending = self._pending, []
                self._status = {**self._status, "state": "running", "reasons": reasons, "stage": "starting",
                                "done": 0, "total": 0, "started": time.time()}
            result = self._rebuild_once(reasons)
            with self._lock:
                self._status = result
                self.history.append(result)

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._status = {**self._status, "stage": stage, "done": int(done), "total": int(total)}

    def _rebuild_once(self, reasons: list[str]) -> dict[str, Any]:
        before = Counter(chunk.context_text for chunk in self.bot.index.chunks)
        started = time.perf_counter()
        try:
            stats = self.bot.rebuild(self._progress)
        except Exception as error:  # the old index keeps serving
            log.exception("rebuild failed")
            return {"state": "failed", "reasons": reasons, "error": str(error), "finished": time.time(),
                    "seconds": round(time.perf_counter() - started, 2)}
        after = Counter(chunk.context_text for chunk in self.bot.index.chunks)
        return {
            "state": "done", "reasons": reasons, "finished": time.time(),
            "seconds": round(time.perf_counter() - started, 2),
            "added": sum((after - before).values()), "removed": sum((before - after).values()),
            "chunks": sum(after.values()), "encoded": int(stats.get("encoded", 0)),
            "reused": int(stats.get("reused", 0)),
            "skipped": dict(self.bot.index.manifest.get("skipped", {}) or {}),
        }


def translation_state(report: dict[str, Any]) -> str:
    """A translation's row in the Corpus tab: what it translates, and what staff should check."""
    state = f"translation ({report['language']}) of {report['original']}"
    if report.get("problem"):
        return f"{state}, not used: {report['problem']}"
    if report["sections"] != report["original_sections"]:
        return (f"{state}: check it, {report['sections']} sections where the original has "
                f"{report['original_sections']} (aligned by their content)")
    return state


def describe(status: dict[str, Any]) -> str:
    """The rebuild status as one Markdown paragraph for the staff page."""
    state = status.get("state")
    if state == "running":
        stage, done, total = status.get("stage") or "working", status.get("done", 0), status.get("total", 0)
        count = f" {done}/{total}" if total else ""
        elapsed = time.time() - status.get("started", time.time())
        why = "; ".join(status.get("reasons") or []) or "changes"
        return f"**Rebuilding the index** ({why}): {stage}{count} · {elapsed:.0f} s so far"
    if state == "done":
        finished = time.strftime("%H:%M:%S UTC", time.gmtime(status.get("finished", 0)))
        skipped = status.get("skipped") or {}
        note = ("\n\n⚠ Not readable, skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items())
                if skipped else "")
        return (f"✓ **Index rebuilt** at {finished} ({'; '.join(status.get('reasons') or [])}): "
                f"**+{status['added']}** chunks added, **−{status['removed']}** removed, "
                f"{status['chunks']} in total; {status['encoded']} texts encoded, {status['reused']} reused; "
                f"took **{status['seconds']:.1f} s**.{note}")
    if state == "failed":
        return (f"✗ **The rebuild failed** ({status.get('error')}). The previous index is still serving "
                "visitors.")
    return "The index is up to date."


def _metadata(title: str, url: str | None, language: str | None, translation_of: str) -> dict[str, str]:
    """The document's metadata file content: each of its title, source link, language and original
    that staff gave (a default written here would override the file's own front matter)."""
    fields = {"title": " ".join(title.split())[:200], "source": url or "", "language": language or "",
              "translation_of": translation_of}
    return {key: value for key, value in fields.items() if value}


def _atomic_write(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".upload-{uuid.uuid4().hex[:8]}-{target.name}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()

