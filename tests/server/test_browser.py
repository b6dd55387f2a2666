"""The chat in Debian's Chromium, driven by Playwright, against the real server on 127.0.0.1."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from index.build import BuildReport
from server.settings import Settings
from tests.browser import live_server


@pytest.fixture(scope="module")
def base_url(settings: Settings, built: BuildReport) -> Iterator[str]:
    with live_server({"VERBATIM_CORPUS": str(settings.corpus), "VERBATIM_INDEX": str(settings.index)}) as (url, _):
        yield url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


def ask(page: Page, question: str) -> None:
    page.get_by_label("Ask the documents").fill(question)
    page.get_by_label("Ask the documents").press("Enter")


def test_question_gets_a_cited_answer_and_keeps_focus(page: Page) -> None:
    ask(page, "Where are viral vectors grown?")
    answer = page.locator(".turn .answer").last
    expect(answer.locator("q").first).to_contain_text("bioreactors")
    expect(answer.locator("a.cite").first).to_have_text("[1]")
    expect(answer.locator(".source .where")).to_contain_text("reports/manufacturing.pdf")
    expect(answer.locator(".passage mark").first).to_contain_text("bioreactors")
    expect(page.get_by_label("Ask the documents")).to_be_focused()
    expect(page.get_by_label("Ask the documents")).to_have_value("")
    expect(page.locator(".turn .feedback")).to_have_count(0)  # no library (no admin token): no feedback to send


def test_a_misspelt_question_is_answered_and_shows_how_it_was_searched(page: Page) -> None:
    ask(page, "Where are viral vectors grown?")
    expect(page.locator(".turn .answer")).to_have_count(1)
    expect(page.locator(".turn .searched")).to_have_count(0)  # searched as asked: nothing to say
    ask(page, "Whree are virla vectors grwon?")
    expect(page.locator(".turn .searched").last).to_have_text("Searched as: Where are viral vectors grown?")
    expect(page.locator(".turn .answer").nth(1).locator("q").first).to_contain_text("bioreactors")


def test_shift_enter_adds_a_line_instead_of_sending(page: Page) -> None:
    box = page.get_by_label("Ask the documents")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(page.locator(".turn")).to_have_count(0)


def test_citation_opens_the_source_with_the_sentence_highlighted(page: Page) -> None:
    ask(page, "Do lentiviruses integrate into the genome?")
    cite = page.locator(".turn a.cite").first
    sentence = page.locator(".turn q").first.inner_text()
    cite.click()
    expect(page).to_have_url(re.compile(r"/sources/vectors\.md\?start=\d+&end=\d+#quote"))
    mark = page.locator("mark#quote")
    expect(mark).to_have_text(sentence)
    expect(mark).to_be_in_viewport()


def test_off_topic_question_shows_the_abstention_and_related_passages(page: Page) -> None:
    ask(page, "Is Zolgensma approved for dividing cells?")
    answer = page.locator(".turn .answer.abstained")
    expect(answer.locator(".abstain")).to_contain_text("never mention “Zolgensma”")
    expect(answer.locator(".related-label")).to_be_visible()


def test_follow_up_uses_the_earlier_question(page: Page) -> None:
    ask(page, "What is CRISPR?")
    expect(page.locator(".turn .answer")).to_have_count(1)
    ask(page, "Is it still maturing?")
    expect(page.locator(".turn .answer").nth(1).locator("q").first).to_have_text(
        "But this technology is still maturing.")


def test_script_in_a_question_is_shown_as_text_and_never_runs(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    question = "<script>alert('x')</script><img src=x onerror=alert('y')> What is CRISPR?"
    ask(page, question)
    expect(page.locator(".turn .question").last).to_contain_text(question)
    expect(page.locator(".turn .answer")).to_have_count(1)
    page.goto("/?q=" + question.replace("#", ""))
    expect(page.locator(".turn .question").last).to_contain_text("<script>alert('x')</script>")
    assert dialogs == [] and page.locator(".turn img").count() == 0


def test_form_works_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Ask the documents").fill("What is CRISPR?")
    page.get_by_role("button", name="Ask").click()
    expect(page.locator(".turn .answer")).to_have_count(1)
    page.get_by_label("Ask the documents").fill("Is it still maturing?")
    page.get_by_role("button", name="Ask").click()
    expect(page.locator(".turn .answer").nth(1).locator("q").first).to_have_text(
        "But this technology is still maturing.")
    expect(page.locator(".turn .searched")).to_have_text(["Searched as: Is CRISPR still maturing?"])
    context.close()


def test_pdf_citation_opens_the_page_as_it_looks_with_the_quote_marked(page: Page) -> None:
    ask(page, "Where are viral vectors grown?")
    cite = page.locator(".turn a.cite[href*='manufacturing.pdf']").first
    expect(cite).to_be_visible()
    cite.click()
    expect(page).to_have_url(re.compile(r"/sources/reports/manufacturing\.pdf\?start=\d+&end=\d+#quote"))
    sheet = page.locator("figure.sheet svg")
    expect(sheet).to_have_count(1)
    expect(sheet.locator("rect.highlight")).to_have_count(1)
    loaded = page.wait_for_function(
        "() => { const i = new Image(); i.src = document.querySelector('svg image').getAttribute('href');"
        " return i.decode().then(() => i.naturalWidth > 500, () => false); }")  # fmt: skip
    assert loaded.json_value() is True
    box = sheet.locator("rect.highlight").bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 5
    quoted = page.locator("blockquote.quoted").inner_text()
    page.get_by_role("link", name="Text view").click()
    expect(page.locator("mark#quote")).to_have_text(quoted)
