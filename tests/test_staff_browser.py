"""The staff console in a real browser: log in, open a visitor's question, mark it wrong.

Playwright drives Debian's Chromium against the real app; screenshots go to test-artifacts/.
Outside CI the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from gradio_client import Client
from playwright.sync_api import expect

from assistant import Assistant
from assistant.curation.store import CuratedAnswers
from assistant.ops.chatlog import ChatLog
from assistant.web.chat import BackgroundServer, create_app
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_ui import mount_staff
from tests.conftest import accessibility_problems, free_port, require_chromium, shot

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "staff browser test password"
QUESTION = "Where does the sustainable cashmere come from?"

require_chromium()



@pytest.fixture(scope="module")
def staff_app(bot, tmp_path_factory):
    data = tmp_path_factory.mktemp("staff-browser-data")
    own = Assistant(bot.corpus_dir, bot.index_dir, bot.encoders, bot.index,  # read-only: shares the index
                    curated=CuratedAnswers(data, bot.encoders))
    chatlog = ChatLog(data)
    console = StaffConsole(own, chatlog, data, password=PASSWORD)
    server = BackgroundServer(create_app(own, chatlog, staff=lambda app: mount_staff(app, console)),
                              port=free_port()).start()
    yield server, console
    server.stop()
    chatlog.close()
    console.curated.close()


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


# The candidate sentences' table lies within its box: the reader's scores and the sentences (the last
# column) are in view without scrolling the table sideways (the page itself may scroll up or down).
SENTENCE_TABLE_IN_VIEW = """() => {
    const table = document.querySelector('#inspector-sentences');
    const columns = ['th[title="reader"]', 'th:last-child'].map((c) => table && table.querySelector(c));
    if (!table || columns.some((column) => !column)) return false;
    const t = table.getBoundingClientRect();
    return columns.every((column) => {
        const c = column.getBoundingClientRect();
        return c.width > 0 && c.left >= t.left && c.right <= t.right;
    });
}"""
# No header of the inspector's tables is broken inside a word ("ch/un/k"): a header takes at most as
# many lines as it has words.
HEADERS_BROKEN_INSIDE_A_WORD = """() => [...document.querySelectorAll(
        ':is(#inspector-passages, #inspector-sentences) th .header')].filter((header) => {
    const range = document.createRange();
    range.selectNodeContents(header);
    return range.getClientRects().length > header.textContent.trim().split(/\\s+/).length;
}).map((header) => header.textContent.trim())"""


def test_login_then_open_a_question_and_mark_it_wrong(page, staff_app, tmp_path):
    server, console = staff_app
    visitor = Client(server.url, verbose=False)
    for question in ("What is the price of a scarf?", QUESTION, "what is the price of a scarf", "Is there a shop?"):
        visitor.predict(question, api_name="/chat")
    staff = server.url + "staff/"

    page.goto(staff)  # not logged in: sent to the login form
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.fill("#password", "not the password")
    page.click("#login")
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    shot(page, "s01-staff-login-refused")
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page).to_have_url(staff)
    table = page.locator("#review-table")
    expect(table).to_contain_text(QUESTION, timeout=30_000)
    shot(page, "s02-staff-review-table")

    table.get_by_text(QUESTION).filter(visible=True).first.click()  # open the row
    detail = page.locator("#reply-detail")
    expect(detail).to_contain_text(QUESTION, timeout=15_000)
    expect(page.locator("#inspector-summary")).to_contain_text("Question as searched")
    expect(page.locator("#inspector-passages")).to_contain_text("BM25 rank")
    expect(detail).to_be_in_viewport()  # the opened question is scrolled to, not left below the fold
    page.wait_for_function(SENTENCE_TABLE_IN_VIEW, timeout=15_000)  # not hidden past the sentences' text
    assert page.evaluate(HEADERS_BROKEN_INSIDE_A_WORD) == []
    expect(page.locator("#pin-choice input")).to_have_value("")  # no passage pre-chosen for the fix
    page.locator("#verdict-note").locator("textarea").fill("Should name the three regions.")
    page.locator("#mark-wrong").click()
    expect(page.locator("#staff-notice")).to_contain_text("Marked wrong", timeout=15_000)
    expect(detail).to_contain_text("staff verdict: wrong")
    shot(page, "s03-staff-marked-wrong-with-inspector", full_page=True)
    assert accessibility_problems(page) == []  # the review table, the detail and the inspector
    turn = console.review_rows(search=QUESTION)[0]
    assert turn["verdict"] == "wrong"
    assert console.turn(turn["id"])["verdict_note"] == "Should name the three regions."

    # a mislabelled upload through the page is refused with a clear message, and nothing changes
    before = sorted(p.name for p in Path(console.corpus.corpus_dir).iterdir())
    fake = tmp_path / "annual-report.pdf"
    fake.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#documents-table")).to_contain_text("partners.txt")
    page.locator("#upload-file").locator("input[type=file]").set_input_files(str(fake))
    # Gradio 6.31 shows the name's stem and extension in separate elements: "annual-report .pdf"
    expect(page.locator("#upload-file")).to_contain_text(re.compile(r"annual-report\s*\.pdf"), timeout=15_000)
    page.locator("#upload-button").click()
    expect(page.locator("#staff-notice")).to_contain_text("not a PDF but a Linux executable", timeout=15_000)
    shot(page, "s04-staff-upload-refused")
    assert sorted(p.name for p in Path(console.corpus.corpus_dir).iterdir()) == before

    page.get_by_role("tab", name="Curated answers").click()
    expect(page.locator("#curated-table")).to_be_visible()
    expect(page.locator("#staff-notice")).not_to_contain_text("not a PDF")  # not left over from the Corpus tab
    expect(page.locator("#curated-editor")).to_be_hidden()  # no "#0" editor before an answer is chosen

    assert console.chatlog.flush()
    asked = sum(day["questions"] for day in console.chatlog.daily_stats(None))
    Client(server.url, verbose=False).predict("What is AVSF? (asked while the console is open)", api_name="/chat")
    assert console.chatlog.flush()
    page.get_by_role("tab", name="Insight").click()  # opening the tab shows today's figures, this question too
    expect(page.locator("#insight-summary")).to_contain_text(f"{asked + 1} questions")
    page.wait_for_timeout(1500)  # let the plots draw
    shot(page, "s05-staff-insight", full_page=True)
    for plot in ("#plot-questions", "#plot-gaps"):  # counts of questions: whole-number ticks only
        ticks = page.locator(f"{plot} .role-axis-label text").all_text_contents()
        assert "0" in ticks and not [tick for tick in ticks if re.fullmatch(r"[\d.]*\.\d+", tick)], ticks

    page.goto(server.url + "staff/logout")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.goto(staff)
    expect(page).to_have_url(re.compile(r"/staff/login$"))


def test_the_console_fits_a_phone_and_opens_a_question(browser, staff_app):
    server, _ = staff_app
    Client(server.url, verbose=False).predict("What is NAMAC?", api_name="/chat")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(server.url + "staff/login")
    phone.fill("#password", PASSWORD)
    phone.click("#login")
    table = phone.locator("#review-table")
    expect(table).to_contain_text("What is NAMAC?", timeout=30_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page: tables scroll inside
    cells = phone.locator("#review-table .virtual-row").first.locator(".body-cell")
    assert min(cell.bounding_box()["width"] for cell in cells.all()) >= 48  # readable columns, not one letter wide
    for control in ("#filter-declined label", "#filter-thumbs label", "#filter-from button", "#filter-to button"):
        box = phone.locator(control).bounding_box()  # every filter whole on the screen, none cut at its edge
        assert box["width"] >= 40 and box["x"] + box["width"] <= 390, (control, box)
    table.get_by_text("What is NAMAC?").filter(visible=True).first.click()
    expect(phone.locator("#reply-detail")).to_be_in_viewport()
    assert accessibility_problems(phone) == []  # the phone layout too
    shot(phone, "s06-staff-phone-detail", full_page=True)
    context.close()



FAILING = "les éleveurs sont-ils payés équitablement ?"  # declined: the texts say "breeders"


def test_a_declined_question_is_answered_once_staff_teach_its_word(page, staff_app):
    """End to end: a visitor's question declined, its word taught from the review row through the
    Vocabulary tab, the same question answered on the next try; removed, declined again."""
    server, console = staff_app
    before, _ = Client(server.url, verbose=False).predict(FAILING, api_name="/chat")
    assert "Désolé" in before and "remuneration" not in before

    page.goto(server.url + "staff/login")
    page.fill("#password", PASSWORD)
    page.click("#login")
    table = page.locator("#review-table")
    expect(table).to_contain_text(FAILING, timeout=30_000)
    table.get_by_text(FAILING).filter(visible=True).first.click()
    expect(page.locator("#reply-detail")).to_contain_text(FAILING, timeout=15_000)
    page.locator("#teach-word input").click()  # the question's words, those the texts lack first
    page.get_by_role("option", name="éleveurs", exact=True).click()
    page.locator("#teach-button").click()

    word = page.locator("#vocab-word textarea")  # the Vocabulary tab, the word and its language filled in
    expect(word).to_be_visible(timeout=15_000)
    expect(word).to_have_value("éleveurs")
    expect(page.locator("#vocab-language input")).to_have_value("French (fr)")
    expect(page.locator("#vocab-table")).to_contain_text("objectif")  # the French entries, seeded
    english = page.locator("#vocab-english textarea")
    notice = page.locator("#vocab-notice")

    word.fill("<img src=x onerror=alert(1)>")  # refused with its reason, shown as text, nothing saved
    english.fill("breeders")
    page.locator("#vocab-add").click()
    expect(notice).to_contain_text("cannot hold HTML or script", timeout=15_000)
    assert page.locator("#vocab-notice img, #vocab-table img").count() == 0
    word.fill("éleveur")  # the beginning: "éleveur", "éleveurs"
    page.locator("#vocab-add").click()
    expect(notice).to_contain_text("Taught (fr) “éleveur” → “breeders”", timeout=15_000)
    expect(page.locator("#vocab-table")).to_contain_text("éleveur")
    shot(page, "s07-staff-vocabulary-taught", full_page=True)
    assert accessibility_problems(page) == []
    assert ("éleveur", "breeders") in [(e.word, e.english) for e in console.vocabulary.entries("fr")]

    after, _ = Client(server.url, verbose=False).predict(FAILING, api_name="/chat")  # no restart, no rebuild
    assert "fair remuneration" in after and "breeders" in after

    page.locator("#vocab-table").get_by_text("éleveur", exact=True).click()  # a row fills the form
    expect(word).to_have_value("éleveur")
    page.locator("#vocab-remove").click()
    expect(notice).to_contain_text("Removed (fr) “éleveur”", timeout=15_000)
    again, _ = Client(server.url, verbose=False).predict(FAILING, api_name="/chat")
    assert "Désolé" in again
