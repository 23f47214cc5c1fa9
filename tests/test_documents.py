"""Loaders: every supported type, headings, metadata, and bad files skipped with a reason."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_documents, leans_on_previous, split_sentences
from assistant.ingest.documents import load_corpus, load_document
from tests.conftest import CORPUS


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with real text, written by hand (no PDF writer needed)."""
    text_ops = " ".join(f"({line}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text_ops} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_partners_text_has_its_sections_and_exact_sentence_offsets():
    documents, errors = load_corpus(CORPUS)
    assert errors == {}
    partners = next(d for d in documents if d.path == "partners.txt")
    assert partners.title == "Our partners"
    assert partners.source.startswith("https://www.sustainablecashmere-mongolia.com")
    chunks = chunk_documents([partners])
    assert [c.section for c in chunks][0] == "Our partners"
    assert {c.section for c in chunks} == {"Our partners", "Our partners > AVSF", "Our partners > NAMAC"}
    for chunk in chunks:
        assert chunk.context_text.startswith(chunk.section + "\n")
        for sentence in chunk.sentences:
            assert partners.text[sentence.start:sentence.end] == sentence.text
    avsf = [s.text for c in chunks if c.section.endswith("AVSF") for s in c.sentences]
    assert avsf[0].endswith("is a French NGO founded in 1977.")
    assert "AVSF" not in [s.text for c in chunks for s in c.sentences], "a heading is never a passage"


@pytest.mark.parametrize("sentence, leans", [
    ("Respectful of man, animal and their environment.", True),  # a fragment of the sentence before
    ("It now forms a network of 670 families through 11 cooperatives.", True),  # points back
    ("In return, the breeders commit themselves to limit the impact of their herds.", True),
    ("In 2022, the sustainable cashmere network extends throughout Mongolia.", False),
    ("The objective is to market the cashmere of their members at a better price.", False),
])
def test_a_sentence_leans_on_the_one_before_when_it_points_back_or_is_a_fragment(sentence, leans):
    assert leans_on_previous(sentence) is leans


def test_the_partners_fragment_is_embedded_with_the_sentence_it_describes():
    documents, _ = load_corpus(CORPUS)
    sentences = [s for c in chunk_documents(documents) for s in c.sentences]
    fragment = next(s for s in sentences if s.text.startswith("Respectful of man"))
    assert fragment.leans_on.startswith("In 2014, it created") and fragment.context.endswith(fragment.text)


def test_sentences_split_on_ends_but_not_on_abbreviations_or_lowercase_continuations():
    text = "NAMAC was reorganized in 1992. Members include e.g. herders… who sell wool! Is it 3.5 tonnes? Yes."
    assert [s.text for s in split_sentences(text)] == [
        "NAMAC was reorganized in 1992.",
        "Members include e.g. herders… who sell wool!",
        "Is it 3.5 tonnes?",
        "Yes.",
    ]


def test_initialisms_titles_and_citations_stay_inside_their_sentence():
    text = ("Politics: U.N. Secretary General Ban Ki-moon spoke. Rev. Paul T. Stallsworth agreed. "
            "It was shown by Jones et al. 1998 in the U.S. The union sells to Acme Ltd. Its wool is fine. "
            "They also sell to Acme Ltd. and others.")
    assert [s.text for s in split_sentences(text)] == [
        "Politics: U.N. Secretary General Ban Ki-moon spoke.",
        "Rev. Paul T. Stallsworth agreed.",
        "It was shown by Jones et al. 1998 in the U.S.",
        "The union sells to Acme Ltd.",
        "Its wool is fine.",
        "They also sell to Acme Ltd. and others.",
    ]


def test_markdown_front_matter_and_heading_levels(tmp_path: Path):
    path = tmp_path / "herds.md"
    path.write_text("---\ntitle: Our herds\nsource: https://example.org/herds\n---\n"
                    "# Goats\nThe herders keep goats\nin the Khangai mountains.\n\n"
                    "## Combing\nCashmere is combed in spring.\n", encoding="utf-8")
    document = load_document(path)
    assert (document.title, document.source) == ("Our herds", "https://example.org/herds")
    chunks = chunk_documents([document])
    assert [c.section for c in chunks] == ["Our herds > Goats", "Our herds > Goats > Combing"]
    assert chunks[0].sentences[0].text == "The herders keep goats\nin the Khangai mountains."
    for chunk in chunks:
        for sentence in chunk.sentences:
            assert document.text[sentence.start:sentence.end] == sentence.text


def test_a_source_line_is_the_page_address_and_a_stray_line_is_never_glued_to_a_sentence(tmp_path: Path):
    path = tmp_path / "bayankhongor.md"
    path.write_text("# Bayankhongor operations\n"
                    "Source: sustainablecashmere-mongolia.com/en/bayankhongor-operations/\n"
                    "Bayankhongor lies about 630 kilometres from the capital.\n\n"
                    "Combing season\nIn spring the goats are combed.\n\n"
                    "Updated: May 2024\nThe herders keep goats\nin the Khangai mountains.\n\n"
                    "- 670 families\n- 11 cooperatives\n", encoding="utf-8")
    document = load_document(path)
    assert document.source == "https://sustainablecashmere-mongolia.com/en/bayankhongor-operations/"
    sentences = {c.section: [s.text for s in c.sentences] for c in chunk_documents([document])}
    assert sentences == {
        "Bayankhongor > Bayankhongor operations": ["Bayankhongor lies about 630 kilometres from the capital."],
        "Bayankhongor > Bayankhongor operations > Combing season": [
            "In spring the goats are combed.", "Updated: May 2024",
            "The herders keep goats\nin the Khangai mountains.",  # wrapped prose still joins
            "- 670 families\n- 11 cooperatives"],  # and so does a list
    }


def test_html_keeps_visible_text_only(tmp_path: Path):
    path = tmp_path / "news.html"
    path.write_text("<html><head><title>News</title><style>p{}</style></head><body>"
                    "<h2>Spring fair</h2><p>The fair opens <b>in May</b>.</p>"
                    "<script>alert('x')</script><p onclick=\"steal()\">Welcome!</p></body></html>")
    document = load_document(path)
    assert document.title == "News"
    assert "alert" not in document.text and "steal" not in document.text and "<" not in document.text
    chunks = chunk_documents([document])
    assert chunks[0].section == "News > Spring fair"
    assert [s.text for s in chunks[0].sentences] == ["The fair opens in May.", "Welcome!"]


def test_pdf_text_is_extracted(tmp_path: Path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(["Annual report", "The union sold 12 tonnes of cashmere in 2023."]))
    document = load_document(path)
    assert "12 tonnes of cashmere" in document.text
    assert document.title == "Report"


@pytest.mark.parametrize("name, content", [
    ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf"),
    ("binary.txt", b"\x00\x01\x02\x03garbage"),
    ("latin1.md", "Caf\xe9 cr\xe8me".encode("latin-1")),
    ("empty.html", b"<html><script>only script</script></html>"),
])
def test_unreadable_files_are_skipped_and_named(tmp_path: Path, name: str, content: bytes, caplog):
    (tmp_path / "good.txt").write_text("Herders comb their goats in spring.\n")
    (tmp_path / name).write_bytes(content)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    documents, errors = load_corpus(tmp_path)
    assert [d.path for d in documents] == ["good.txt"]
    assert list(errors) == [name]
    assert name in caplog.text and "photo.jpg" in caplog.text
