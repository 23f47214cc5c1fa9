"""Staff add a translation from the Corpus tab: its language and its original, checked, then quoted.

The declaration checks and the sidecar need no model (first part). Then the real app (`corpus_app`:
its own corpus copy and index, real models): through `CorpusAdmin`, and through the staff Gradio
app spoken over HTTP as its page does. The translation is the test one of tests/fixtures/translations.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.ingest.documents import load_document
from assistant.ops.corpus_admin import CorpusAdmin
from assistant.ops.upload_checks import UploadRefused, check_translation, document_language
from assistant.text import plain_text
from tests.conftest import CORPUS, TRANSLATION_FIXTURES
from tests.gradio_page import GradioPage
from tests.staff_app import login
from tests.test_staff_corpus import corpus_state

FRENCH = (TRANSLATION_FIXTURES / "partners.fr.md").read_text(encoding="utf-8")
# the same file without its own declaration: a translation only if staff say so
UNDECLARED = FRENCH.replace("language: fr\n", "").replace("translation_of: partners.txt\n", "")
WITHOUT_NAMAC = UNDECLARED[:UNDECLARED.index("## NAMAC")]  # 2 sections where the original has 3
QUESTION = "Combien de familles font partie du réseau ?"

# ---------------------------------------------------------------- the checks, no model

DECLARED = {  # what each document of a corpus says of itself
    "partners.txt": {"language": "en"},
    "about.md": {},
    "partners.fr.md": {"language": "fr", "translation_of": "partners.txt"},
    "rapport.md": {"language": "fr"},
}
DECLARATIONS = [  # the upload's name, its language, its original, the refusal (None: accepted)
    ("partners.de.md", "de", "partners.txt", None),
    ("notes.md", "en", None, None),
    ("partners.fr.md", "fr", "partners.txt", None),  # a translation replaced by its new version
    ("report.md", "en", "rapport.md", None),  # an English translation of a French original
    ("partners.es.md", "es", "gone.txt", "“gone.txt”, named as the original, is not a document of the corpus"),
    ("partners.en.md", "en", "partners.txt", r"same language as its original “partners.txt” \(en\)"),
    ("about.fr.md", "en", "about.md", "same language"),  # an original saying nothing is English
    ("rapport.fr.md", "fr", "rapport.md", "same language"),
    ("partners.mn.md", "mn", "partners.fr.md", r"itself a translation \(of partners.txt\): name the original"),
    ("about.md", "fr", "about.md", "cannot be a translation of itself"),
    ("partners.txt", "de", "about.md", "is the original of partners.fr.md: it cannot become a translation"),
]


@pytest.mark.parametrize("name, language, original, refused", DECLARATIONS,
                         ids=[f"{d[0]}<-{d[2]}" for d in DECLARATIONS])
def test_what_a_translation_may_declare(name, language, original, refused):
    if refused is None:
        check_translation(name, language, original, DECLARED)
    else:
        with pytest.raises(UploadRefused, match=refused):
            check_translation(name, language, original, DECLARED)


@pytest.mark.parametrize("chosen, language", [("", None), (" FR ", "fr"), ("mn", "mn"), ("it", "refused"),
                                              ("French", "refused")])
def test_the_languages_staff_can_choose(chosen, language):
    if language == "refused":
        with pytest.raises(UploadRefused, match="not a language the assistant answers in"):
            document_language(chosen)
    else:
        assert document_language(chosen) == language


@dataclass
class CorpusOnly:
    """`CorpusAdmin` reads only its assistant's corpus folder until it rebuilds (never here: rebuild=False)."""

    corpus_dir: Path


@pytest.fixture
def admin(tmp_path) -> CorpusAdmin:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return CorpusAdmin(CorpusOnly(tmp_path / "corpus"))


SIDECARS = [  # the file, what staff set, the sidecar written (None: none), the document as the index reads it
    (FRENCH, {"title": "Nos partenaires (2024)"}, {"title": "Nos partenaires (2024)"}, ("fr", "partners.txt")),
    (FRENCH, {}, None, ("fr", "partners.txt")),
    (UNDECLARED, {"language": "fr", "translation_of": "partners.txt"},
     {"language": "fr", "translation_of": "partners.txt"}, ("fr", "partners.txt")),
    (UNDECLARED, {"language": "fr"}, {"language": "fr"}, ("fr", None)),  # a French original
    (UNDECLARED, {}, None, ("en", None)),
]


@pytest.mark.parametrize("text, chosen, sidecar, read", SIDECARS)
def test_the_sidecar_says_only_what_staff_set(admin, tmp_path, text, chosen, sidecar, read):
    upload = tmp_path / "partners.fr.md"
    upload.write_text(text, encoding="utf-8")
    assert "partners.fr.md" not in admin.originals()
    admin.add(upload, rebuild=False, **chosen)
    written = admin.corpus_dir / "partners.fr.md.meta.json"
    assert (json.loads(written.read_text(encoding="utf-8")) if written.exists() else None) == sidecar
    document = load_document(admin.corpus_dir / "partners.fr.md", "partners.fr.md")
    assert (document.language, document.translation_of) == read
    assert ("partners.fr.md" in admin.originals()) == (read[1] is None)


REFUSALS = [  # the file, what staff set, the message
    (UNDECLARED, {"language": "fr", "translation_of": "gone.txt"}, "“gone.txt”, named as the original, is not"),
    (UNDECLARED, {"translation_of": "partners.txt"}, "same language as its original"),  # left English
    (FRENCH, {"language": "en"}, "same language as its original"),  # staff's word over the file's
    (FRENCH.replace("translation_of: partners.txt", "translation_of: gone.txt"), {}, "“gone.txt”"),  # the file's own
    (UNDECLARED, {"language": "it"}, "not a language the assistant answers in"),
]


@pytest.mark.parametrize("text, chosen, message", REFUSALS)
def test_a_refused_translation_writes_nothing(admin, tmp_path, text, chosen, message):
    upload = tmp_path / "partners.fr.md"
    upload.write_text(text, encoding="utf-8")
    before = corpus_state(admin.corpus_dir)
    with pytest.raises(UploadRefused, match=message):
        admin.add(upload, rebuild=False, **chosen)
    assert corpus_state(admin.corpus_dir) == before


# ---------------------------------------------------------------- the real app

def test_a_translation_staff_declare_is_quoted_to_french_visitors(corpus_app, tmp_path):
    corpus = corpus_app.console.corpus
    answer, sources = corpus_app.ask(QUESTION)
    assert "670 families" in plain_text(answer) and sources[0]["document"] == "partners.txt"  # no translation yet
    upload = tmp_path / "partners.fr.md"
    upload.write_text(UNDECLARED, encoding="utf-8")
    message = corpus.add(upload, language="fr", translation_of="partners.txt")
    assert message.startswith("Added **partners.fr.md**") and "a translation (fr) of partners.txt" in message
    assert corpus.wait(120)["state"] == "done"
    status = corpus_app.console.documents_table().set_index("document")["status"]
    assert status["partners.fr.md"] == "translation (fr) of partners.txt" and status["partners.txt"] == "indexed"
    assert corpus.originals() == ["partners.txt"]
    answer, sources = corpus_app.ask(QUESTION)
    assert "670 familles" in answer and sources[0]["document"] == "partners.fr.md"
    assert "670 families" in corpus_app.ask("How many families are in the network?")[0]  # English unchanged
    corpus.remove("partners.fr.md")
    assert corpus.wait(120)["state"] == "done"
    assert "670 families" in plain_text(corpus_app.ask(QUESTION)[0])


class StaffPage(GradioPage):
    """The staff console's page, logged in, its tables loaded as when it opens."""

    OUTPUTS = ["notice", "status", "documents", "to_remove", "original", "timer", "upload", "language"]

    def __init__(self, app) -> None:
        super().__init__(app.staff, cookies=dict(login(app).cookies))
        self.reload()

    def reload(self) -> dict:
        """The page's load event: the tables and lists as a newly opened page shows them."""
        return self.run(self.events[(None, "load")], [30])

    def choose(self, text: str, name: str) -> dict:
        """Choose a file: Gradio's upload, as the page sends it."""
        path = self.http.post("gradio_api/upload", files={"files": (name, text.encode())}).json()[0]
        return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}

    def add(self, text: str, name: str, language: str = "", original: str = "") -> dict:
        """Choose a file, the language and the original, then press "Add document"; the tab's outputs."""
        file = self.choose(text, name)
        outputs = self.queued(self.events[("upload-button", "click")], [file, "", "", language, original, False])
        return dict(zip(self.OUTPUTS, outputs, strict=True))


def documents_status(outputs: list) -> dict[str, str]:
    """The documents table of an event's outputs: {document: status}."""
    table = next(o for o in outputs if isinstance(o, dict) and o.get("headers", [""])[0] == "document")
    column = table["headers"].index("status")
    return {row[0]: row[column] for row in table["data"]}


def test_the_staff_page_refuses_a_wrong_declaration_and_flags_a_partial_translation(corpus_app, tmp_path):
    corpus = corpus_app.console.corpus
    page = StaffPage(corpus_app)
    before = corpus_state(corpus.corpus_dir)
    # once a file is chosen, the form says what the file declares, which applies unless staff choose otherwise
    file = page.choose(FRENCH, "partners.fr.md")
    language, original = page.run(page.events[("upload-file", "change")], [file])
    assert language["choices"][0] == ["As the file says: French (fr)", ""]
    assert original["choices"] == [["As the file says: a translation of partners.txt", ""],
                                   ["partners.txt", "partners.txt"]]
    Path(file["path"]).unlink()
    same = page.add(UNDECLARED, "partners.fr.md", language="en", original="partners.txt")
    assert same["notice"].startswith("✗ “partners.fr.md” would be in the same language as its original")
    assert corpus_state(corpus.corpus_dir) == before

    # a document listed when the page opened, removed since by someone else: the page still offers it
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nThe union meets every spring in Ulaanbaatar.\n", encoding="utf-8")
    corpus.add(notes, rebuild=False)
    page.reload()
    corpus.remove("notes.md", rebuild=False)
    before = corpus_state(corpus.corpus_dir)
    gone = page.add(UNDECLARED, "partners.fr.md", language="fr", original="notes.md")
    assert gone["notice"].startswith("✗ “notes.md”, named as the original, is not a document of the corpus")
    assert corpus_state(corpus.corpus_dir) == before

    added = page.add(WITHOUT_NAMAC, "partners.fr.md", language="fr", original="partners.txt")
    assert added["notice"].startswith("✓ Added **partners.fr.md**")
    assert json.loads((corpus.corpus_dir / "partners.fr.md.meta.json").read_text(encoding="utf-8")) == {
        "language": "fr", "translation_of": "partners.txt"}
    assert corpus.wait(120)["state"] == "done"
    status = documents_status(page.reload())  # the list once the rebuild is over
    assert status["partners.fr.md"] == ("translation (fr) of partners.txt: check it, 2 sections where the "
                                        "original has 3 (aligned by their content)")
    answer, sources = corpus_app.ask(QUESTION)  # a partial translation is still quoted where it has the section
    assert "670 familles" in answer and sources[0]["document"] == "partners.fr.md"
    corpus.remove("partners.fr.md")
    assert corpus.wait(120)["state"] == "done"
