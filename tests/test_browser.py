"""The chat in a real browser: Playwright driving Debian's Chromium against the real app
(the widget's own tests: test_widget_browser.py).

Screenshots and the measured question-to-answer times go to test-artifacts/ (gitignored).
Outside CI the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import re
import sqlite3

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect

from assistant import Assistant
from assistant.pipeline import ensure_index
from tests.chat_page import BOT, ask, open_chat
from tests.conftest import accessibility_problems, require_chromium, serve_chat, shot

HOSTILE_TEXT = """Shearing festival <b>news</b>
Each cooperative of the union holds its combing festival in May <img src=x onerror="window.__pwned=2"> with the herders.
The festival programme is announced on the notice board <script>window.__pwned=3</script> of each soum centre.
"""

require_chromium()


@pytest.fixture(scope="module")
def hostile_server(encoders, tmp_path_factory, chatlog):
    """A chat over a corpus whose text carries <script> and <img onerror> markup."""
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    (corpus / "festival.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hostile-index")
    bot = Assistant(corpus, index_dir, encoders, ensure_index(corpus, index_dir, encoders))
    running = serve_chat(bot, chatlog)
    yield running
    running.stop()


def test_answer_shows_quote_citation_and_sources(page, server):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
    open_chat(page, server.url)
    chat = page.locator("#chatbot")
    for example in ("When was AVSF founded?", "Quand AVSF", "NAMAC хэдэн онд"):
        expect(chat.get_by_role("button", name=re.compile(re.escape(example)))).to_be_visible()
    shot(page, "01-welcome")

    seconds = ask(page, "When was AVSF founded?", "1977", "en_avsf")
    answer = page.locator(BOT).nth(1)
    expect(answer.locator("strong", has_text="1977")).to_be_visible()
    link = answer.get_by_role("link", name="Our partners > AVSF")
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    sources = page.locator(BOT).nth(2)  # the collapsible message after the answer
    sources.get_by_text("Sources (3)").click()
    expect(sources.get_by_text("Agronomes et Vétérinaires Sans Frontières")).to_be_visible()
    expect(sources).not_to_contain_text("relevance")  # a score relative to the first passage tells nothing
    expect(sources).to_contain_text("grouped together in cooperatives, 5 in number. In 2022")  # whole passages
    page.wait_for_timeout(800)  # let the accordion finish opening before the picture
    shot(page, "02-answer-with-sources")
    assert seconds < 10
    expect(page.get_by_text("Use via API")).to_have_count(0)  # developers find the API in the README
    assert outside == []  # no analytics, fonts or CDNs: the page talks to our server only



def test_a_quote_the_reader_is_not_sure_of_says_so_above_it(page, server):
    open_chat(page, server.url)
    ask(page, "how many members does AVSF have", "I'm not sure the union's texts answer that", "en_unsure")
    reply = page.locator(BOT).nth(1)
    expect(reply).to_contain_text("The closest passage:")
    expect(reply).to_contain_text(re.compile(r"“[^”]*Sustainable Cashmere Union[^”]*”"))  # a passage, verbatim
    expect(reply.get_by_role("link", name="Our partners")).to_be_visible()  # and its source
    shot(page, "02b-not-sure")

def test_chat_with_an_answer_and_its_sources_passes_axe(page, server):
    open_chat(page, server.url)
    ask(page, "When was AVSF founded?", "1977", "axe_chat")
    page.locator(BOT).nth(2).get_by_text(re.compile(r"^Sources")).click()
    page.wait_for_timeout(500)
    assert accessibility_problems(page) == []


def test_thumbs_down_and_comment_reach_sqlite(page, server, chatlog):
    open_chat(page, server.url)
    question = "How many families are in the network?"
    ask(page, question, "670", "en_families")
    page.locator("#chatbot").get_by_label("Dislike").last.click()  # the thumbs under the answer
    comment = page.locator("#comment textarea")
    expect(comment).to_be_visible()
    comment.fill("Please say which year this was.")
    page.locator("#comment-button").click()
    expect(comment).to_be_hidden()
    expect(page.locator("#comment-thanks")).to_contain_text("Thanks, we read every comment")
    shot(page, "03-thumbs-down")
    assert chatlog.flush()
    with sqlite3.connect(chatlog.path) as db:
        ratings = db.execute("SELECT f.rating, f.comment, t.channel FROM feedback f JOIN turns t ON t.id = f.turn_id "
                             "WHERE t.question = ? ORDER BY f.id", (question,)).fetchall()
    assert ratings == [("down", None, "web"), (None, "Please say which year this was.", "web")]


def test_a_new_question_closes_an_empty_comment_box_and_keeps_a_draft(page, server):
    open_chat(page, server.url)
    ask(page, "What is NAMAC?", "National Association", "en_namac_before_dislike")
    dislike = page.locator("#chatbot").get_by_label("Dislike")
    dislike.last.click()
    comment = page.locator("#comment textarea")
    expect(comment).to_be_visible()
    ask(page, "When was AVSF founded?", "1977", "en_avsf_after_dislike")
    expect(comment).to_be_hidden()  # not left open under a newer answer
    dislike.last.click()
    comment.fill("Half written")
    ask(page, "When was NAMAC reorganized?", "1992", "en_namac_while_commenting")
    expect(comment).to_have_value("Half written")  # a comment being written stays, in view


def test_mongolian_at_phone_width(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page, server.url)
    ask(page, "NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?", "1992", "mn_namac_phone")
    expect(page.locator(BOT).nth(1)).to_contain_text("Эх сурвалж:")  # the citation, in the visitor's language
    expect(page.locator(BOT).nth(2)).to_contain_text("Эх сурвалжууд")  # and the sources' title
    expect(page.locator("#chatbot")).not_to_contain_text("Source")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ask_button = page.locator("#ask-button").bounding_box()
    assert ask_button["x"] + ask_button["width"] <= 390
    shot(page, "04-phone-mongolian")
    context.close()


def click_example(page: Page, example: str, expected: str) -> None:
    """The first reply quotes nothing (no citation); its example button asks, and is answered."""
    expect(page.locator(BOT).nth(1)).not_to_contain_text("Source:")
    page.locator("#chatbot").get_by_role("button", name=example).click()
    expect(page.locator(BOT).nth(2)).to_contain_text(expected, timeout=30_000)


def test_decline_offers_clickable_examples_and_clear_resets(page, server):
    open_chat(page, server.url)
    ask(page, "What will the weather be in Paris tomorrow?", "I don't know", "en_off_topic")
    click_example(page, "What is NAMAC?", "National Association of Mongolian Agricultural Cooperatives")
    # the decline's buttons are gone with the next question: its "For example:" lists them instead
    expect(page.locator(BOT).nth(1).get_by_role("listitem").filter(has_text="When was AVSF founded?")).to_be_visible()
    shot(page, "05-decline-then-example")
    expect(page.get_by_role("button", name=re.compile("clear", re.I))).to_have_count(1)  # one way, not two
    page.locator("#clear-button").click()
    expect(page.locator(BOT)).to_have_count(1)
    expect(page.locator('[data-testid="user"]')).to_have_count(0)
    # the conversation the follow-ups read is cleared too: the same reply as in a new chat
    follow_up = "and when was it reorganized?"
    ask(page, follow_up, "", "after_clear")
    after_clear = page.locator(BOT).nth(1).inner_text()
    open_chat(page, server.url)
    page.evaluate("sessionStorage.clear(); localStorage.clear()")
    page.reload()
    open_chat(page, server.url)
    ask(page, follow_up, "", "new_chat")
    assert after_clear == page.locator(BOT).nth(1).inner_text()
    assert "1992" not in after_clear  # "it" is nobody now: NAMAC was cleared


def test_copy_gives_the_plain_quote_its_source_and_address(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_chat(page, server.url)
    ask(page, "When was AVSF founded?", "1977", "copy")
    page.locator(BOT).nth(1).hover()
    page.locator("#chatbot").get_by_label("Copy message").last.click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert "founded in 1977." in copied and "Source: Our partners > AVSF (https://" in copied
    assert not re.search(r"\*\*|\\|\]\(|Sources \(", copied), copied


def test_phone_welcome_shows_the_greeting_and_examples_without_thumbs(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page, server.url)
    page.wait_for_timeout(2000)  # past Gradio's scroll to the end
    expect(page.get_by_text("I answer questions about the")).to_be_in_viewport()
    examples = page.locator("#chatbot .option")
    expect(examples).to_have_count(6)
    for example in examples.all():  # every example, and the controls under the chat, on the first screen
        expect(example).to_be_in_viewport(ratio=1)
    expect(page.locator("#clear-button")).to_be_in_viewport(ratio=1)
    assert accessibility_problems(page) == []  # the phone layout too
    expect(page.locator("#chatbot").get_by_role("button", name=re.compile("^(Like|Dislike)$"))).to_have_count(0)
    shot(page, "01-phone-welcome")
    context.close()


def test_a_greeting_is_greeted_back_with_clickable_examples(page, server):
    open_chat(page, server.url)
    ask(page, "Bonjour !", "Bonjour ! Je réponds aux questions", "fr_greeting")
    click_example(page, "Quand AVSF a-t-elle été fondée ?", "1977")
    shot(page, "06-greeting-then-example")


def test_html_in_a_question_stays_inert(page, server):
    open_chat(page, server.url)
    question = "<img src=x onerror=window.__pwned=1>"
    ask(page, question, "I don't know", "html_question")
    expect(page.locator('[data-testid="user"]').last).to_contain_text(question)
    assert page.locator('#chatbot img[src="x"]').count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    shot(page, "07-html-question-inert")


def test_html_in_the_corpus_stays_inert(page, hostile_server):
    open_chat(page, hostile_server.url)
    ask(page, "Where is the festival programme announced?", "notice board", "html_corpus")
    expect(page.locator(BOT).nth(1)).to_contain_text("<script>window.__pwned=3</script>")
    sources = page.locator(BOT).nth(2)
    sources.get_by_text(re.compile(r"^Sources")).click()
    expect(sources.get_by_text('<img src=x onerror="window.__pwned=2">')).to_be_visible()
    expect(sources.get_by_text("Shearing festival <b>news</b>")).to_be_visible()
    page.wait_for_timeout(800)
    assert page.locator("#chatbot script, #chatbot img[src='x'], #chatbot b").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    shot(page, "08-html-corpus-inert")
