"""The index folder's versions: each build is a folder of its own, CURRENT names the live one.

Layout of the index folder:
    CURRENT            name of the live version folder (replaced atomically)
    v-<id>/            one complete build (its files: `assistant.ingest.store`)
    tmp-<id>/          a build in progress, or one a crash left unfinished
A build writes a new folder and only then points CURRENT at it, so a crash mid-build
leaves the previous version in use.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CURRENT = "CURRENT"
LOCK = ".build.lock"
MANIFEST = "manifest.json"


def file_hash(path: Path) -> str:
    """The sha256 of a file, read in blocks so that a large vector file is never held whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """The hash of every file in a build, by its path in the folder: loading checks them."""
    return {
        path.relative_to(folder).as_posix(): file_hash(path)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def current_version(index_dir: Path) -> Path | None:
    """The live version's folder; None when CURRENT is missing or names no folder."""
    pointer = Path(index_dir) / CURRENT
    try:
        name = pointer.read_text().strip()
    except OSError:
        return None
    folder = Path(index_dir) / name
    return folder if name and folder.is_dir() else None


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Held by the one process that checks, builds or swaps the index: another waits for it, so two
    processes on one index folder never build at once (each would remove the other's unfinished
    build), and the second then finds the first one's version current."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_build_folder(index_dir: Path) -> Path:
    """An empty folder for a build, once the builds that earlier crashes left unfinished are removed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for leftover in index_dir.glob("tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    folder = index_dir / f"tmp-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    return folder


def sync(folder: Path) -> None:
    """Flush a finished build's files to disk, so that the version CURRENT will name is complete."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def publish(index_dir: Path, folder: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest last, rename the synced build into place, point CURRENT at it in one atomic
    step, then remove the older versions. Returns the live folder."""
    manifest["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write_durably(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    live = index_dir / f"v-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder.rename(live)
    pointer = index_dir / f"{CURRENT}.tmp"
    _write_durably(pointer, live.name)
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    for old in index_dir.glob("v-*"):
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
    return live


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    """A rename is durable only once its directory is synced."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
