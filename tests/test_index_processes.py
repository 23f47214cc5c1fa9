"""Two processes on one index folder: they never build at once, and both serve the newest version.

A restart overlap or two workers behind a proxy share `index/`. Without a lock, the second build
removed the first's unfinished folder; and a process kept serving its old version after a staff
rebuild in the other one.
"""
from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

from assistant import Assistant, pipeline
from assistant.ingest.versions import current_version
from tests.conftest import ROOT

NEW_FACT = "\n\nThe union's spring festival takes place in Tsetserleg every May.\n"


def build_at_once(corpus: Path, index_dir: Path, barrier, results) -> None:
    from assistant.models.embedding import load_encoders
    from assistant.pipeline import ensure_index

    encoders = load_encoders(multilingual=False)
    barrier.wait(timeout=120)
    index = ensure_index(corpus, index_dir, encoders)
    results.put(index.folder.name)


def test_two_processes_starting_on_one_folder_build_it_once_and_serve_the_same_version(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=build_at_once, args=(corpus, tmp_path / "index", barrier, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [worker.exitcode for worker in workers] == [0, 0]
    versions = {results.get(timeout=5), results.get(timeout=5)}
    assert len(versions) == 1 and current_version(tmp_path / "index").name in versions
    assert [path.name for path in (tmp_path / "index").glob("v-*")] == list(versions)  # built once


def test_a_rebuild_in_one_process_is_served_by_the_other(encoders, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    serving = Assistant.open(corpus, tmp_path / "index", encoders=encoders)
    staff_side = Assistant.open(corpus, tmp_path / "index", encoders=encoders)
    question = "Where does the union's spring festival take place?"
    assert "Tsetserleg" not in serving.ask(question).text
    with open(corpus / "partners.txt", "a", encoding="utf-8") as handle:
        handle.write(NEW_FACT)
    staff_side.rebuild()
    monkeypatch.setattr(pipeline, "VERSION_CHECK_SECONDS", 0.0)
    reply = serving.ask(question)
    assert reply.answered and "Tsetserleg" in reply.text
    assert serving.index.folder == staff_side.index.folder == current_version(tmp_path / "index")
