"""The staff console's Corpus tab against the real app: uploads, refusals, removal and re-indexing.

These tests change the corpus, so they get their own corpus copy, index and server (`corpus_app`).
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from assistant.ops.upload_checks import UploadRefused, safe_name
from assistant.web.staff_corpus import CorpusTab

NEW_TOPIC = """---
title: Yak wool programme
source: https://www.sustainablecashmere-mongolia.com/en/yak-wool/
---
# Yak wool programme

In 2024 the union started a yak wool programme with herders of the Khangai mountains.
The yak down is combed by hand in late spring and sorted by colour at the cooperative.
Each kilogram of sorted yak down is paid 18 percent above the local market price.

## Training
Twelve cooperatives sent two herders each to a three-day training on combing and sorting.
The training was held in Kharkhorin in March, before the combing season.
Trainers from the cooperatives of Arkhangai showed how to keep the fibres long and clean.
A second session for herders of the Gobi-Altai province is planned for the autumn.

## Buyers
Two spinning mills in Ulaanbaatar have agreed to buy the sorted yak down for three years.
The mills pay the cooperatives within thirty days of delivery.
Part of the price goes to a fund that repairs the herders' winter shelters.
"""
NEW_QUESTION = "How much above the market price is yak down paid?"


def corpus_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(64)
REFUSED = [
    ("payload.pdf", ELF, "not a PDF but a Linux executable"),
    ("notes.pdf", b"just some text pretending", "does not start with %PDF"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "could not be read"),
    ("report.md", ELF, "must be text, but this is a Linux executable"),
    ("nul.txt", b"hello\x00world", "NUL bytes"),
    ("latin.md", "Café à la coopérative".encode("latin-1"), "not UTF-8"),
    ("empty.txt", b"", "empty"),
    ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "too large"),
    ("blank.html", b"<html><script>alert(1)</script></html>", "could not be read"),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "not an accepted document"),
    ("setup.exe", b"MZ\x90\x00", "not an accepted document"),
    ("partners.txt", b"A replacement without the replace box ticked.\n", "already in the corpus"),
]


@pytest.mark.parametrize("name, data, reason", REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_uploads_are_refused_and_change_nothing(corpus_app, tmp_path, name, data, reason):
    upload = tmp_path / "upload.bin"
    upload.write_bytes(data)
    before = corpus_state(corpus_app.console.corpus.corpus_dir)
    with pytest.raises(UploadRefused, match=reason):
        corpus_app.console.corpus.add(upload, name)
    assert corpus_state(corpus_app.console.corpus.corpus_dir) == before
    assert corpus_app.console.corpus.status()["state"] == "idle"


def test_file_names_cannot_leave_the_corpus(corpus_app, tmp_path):
    assert safe_name("../../etc/passwd.md") == "passwd.md"
    assert safe_name("..\\..\\windows\\evil name.TXT") == "evil-name.txt"
    assert safe_name("...md") == "document.md"
    upload = tmp_path / "upload.md"
    upload.write_text("# Escape\n\nThis file tried to leave the corpus folder.\n", encoding="utf-8")
    corpus = corpus_app.console.corpus.corpus_dir
    corpus_app.console.corpus.add(upload, "../../escape.md", rebuild=False)
    assert (corpus / "escape.md").is_file() and not (corpus.parent / "escape.md").exists()
    corpus_app.console.corpus.remove("escape.md", rebuild=False)
    with pytest.raises(UploadRefused):
        corpus_app.console.corpus.remove("../index/CURRENT")
    assert not (corpus / "escape.md").exists()


def test_upload_makes_a_new_topic_answerable_while_visitors_keep_getting_answers(corpus_app, tmp_path):
    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "yak" not in answer.lower()  # the corpus does not know yet
    upload = tmp_path / "Yak wool (2024).md"
    upload.write_text(NEW_TOPIC, encoding="utf-8")

    questions = ["When was AVSF founded?", "What is NAMAC?", "How many families are in the network?",
                 "Quand AVSF a-t-elle été fondée ?"]
    results, errors = [], []
    stop = threading.Event()

    def visitor(number: int) -> None:
        client = Client(corpus_app.url, verbose=False)
        while not stop.is_set() or not results:
            question = questions[number % len(questions)]
            try:
                answer, sources = corpus_app.ask(question, client)
                results.append((time.monotonic(), question, answer, sources))
            except Exception as error:  # noqa: BLE001 - every failure counts
                errors.append(repr(error))
            number += 1

    with ThreadPoolExecutor(3) as pool:
        for number in range(3):
            pool.submit(visitor, number)
        time.sleep(0.5)
        started = time.monotonic()
        message = corpus_app.console.corpus.add(upload, upload.name)
        status = corpus_app.console.corpus.wait(120)
        finished = time.monotonic()
        stop.set()
    assert message.startswith("Added **Yak-wool-2024.md**")
    assert errors == []
    during = [r for r in results if started <= r[0] <= finished]
    assert during, "no visitor question was answered during the rebuild"
    assert all(r[2].strip() and r[3] for r in results)  # every one answered, with sources
    print(f"\nrebuild after adding a document: {status['seconds']:.2f} s, +{status['added']} -{status['removed']} "
          f"chunks, {status['encoded']} encoded / {status['reused']} reused; {len(during)} visitor answers "
          f"during it, {len(results)} in all")
    assert status["state"] == "done" and status["added"] >= 1 and status["removed"] == 0
    assert 0 < status["encoded"] < status["reused"]  # only the new chunks were encoded

    with gr.Blocks():  # the Corpus tab's follow-up once the rebuild is over: "being rebuilt" gives way
        tab = CorpusTab(corpus_app.console, gr.Markdown())
        tab.wire(gr.Dataframe())
    assert tab.tick()[tab.notice].startswith("✓ **Index rebuilt**")

    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "18" in answer and "percent" in answer and "yak" in answer.lower()
    name = sources[0]["document"]
    assert name.startswith("Yak-wool") and sources[0]["url"].endswith("/yak-wool/")
    documents = corpus_app.console.documents_table()
    assert documents.set_index("document").loc[name, "status"] == "indexed"

    # removing it stops it being cited
    corpus_app.console.corpus.remove(name)
    status = corpus_app.console.corpus.wait(120)
    assert status["state"] == "done" and status["removed"] >= 1 and status["added"] == 0
    answer, sources = corpus_app.ask(NEW_QUESTION)
    assert "18 percent" not in answer
    assert all(source["document"] != name for source in sources)
    assert name not in set(corpus_app.console.documents_table()["document"])
