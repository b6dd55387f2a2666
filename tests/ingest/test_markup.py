"""Web pages as people have them: the content is read; navigation, banners, sidebars, footers never are."""

from ingest.markup import html_blocks
from ingest.split import passages
from ingest.units import Document, Passage

NEWS = """<!doctype html><html><head><title>Rivers</title><script>track()</script></head><body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><a href="/">River Times</a>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li></ul></nav></header>
<div id="cookie-consent" class="cc-banner"><p>We use cookies to improve your experience.</p>
  <button>Accept all cookies</button></div>
<main>
  <article>
    <header><h1>How rivers shape valleys</h1><p>By Ana Lima, river correspondent.</p></header>
    <p>Rivers carve valleys by wearing away the rock beneath them.</p>
    <div class="share-buttons"><p>Share this story on social media.</p></div>
    <h2>Meanders</h2>
    <p>On flat ground a river swings from side to side, cutting its outer bank.</p>
    <aside><p>Read also: why deltas grow.</p></aside>
    <footer><p>Tags: rivers, erosion.</p></footer>
  </article>
  <form action="/search"><label>Search the archive of every story</label><input name="q"></form>
</main>
<aside class="sidebar"><h3>Most read</h3><p>Ten facts about rivers you never knew.</p></aside>
<dialog open><p>Subscribe to our newsletter today.</p></dialog>
<footer><p>Copyright 2024 River Times. All rights reserved.</p></footer>
</body></html>"""

BLOG = """<html><head><title>River Notes</title></head><body class="blog has-sidebar">
<div id="top-bar"><div class="site-title"><a href="/">River Notes</a></div>
  <ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li>
    <li><a href="/contact">Contact</a></li></ul>
</div>
<div class="cookiebar">This site stores cookies on your computer. <a href="/privacy">Learn more</a></div>
<div class="post">
  <h1>How rivers shape valleys</h1>
  <div class="meta">Posted on <a href="/2024/05">3 May 2024</a> by <a href="/ana">Ana</a></div>
  <p>Rivers carve valleys by wearing away the rock beneath them.
    See our <a href="/erosion">guide</a> for more.</p>
  <ul><li>Oxbow lakes form when a meander is cut off.</li>
    <li>Levees build up along the banks during floods.</li></ul>
  <table><tr><th>River</th><th>Length</th></tr><tr><td>Nile</td><td>6,650 km</td></tr></table>
</div>
<div class="col-right"><h3>Popular posts</h3>
  <ul><li><a href="/facts">Ten facts about rivers</a></li>
    <li><a href="/deltas">Why deltas grow</a> (2019)</li></ul>
</div>
<div id="footer">© 2024 River Notes. <a href="/privacy">Privacy policy</a></div>
</body></html>"""


def _read(html: str) -> tuple[str, list[Passage]]:
    text, blocks = html_blocks("page.html", html)
    document = Document("page.html", text, "html")
    units = passages(document, blocks)
    for passage in units:
        assert text[passage.start : passage.end] == passage.text
        assert all(text[s.start : s.end] == s.text for s in passage.sentences)
    return text, units


def test_page_with_main_reads_only_the_main_content() -> None:
    text, _ = _read(NEWS)
    assert "Rivers carve valleys" in text and "cutting its outer bank" in text
    left_out = ["Skip to content", "River Times", "World news", "cookies", "Share this story", "Read also",
                "Tags:", "Search the archive", "Ten facts", "newsletter", "Copyright", "track()"]  # fmt: skip
    for boilerplate in left_out:
        assert boilerplate not in text, boilerplate


def test_article_header_keeps_its_heading_as_the_section() -> None:
    _, units = _read(NEWS)
    meander = next(p for p in units if "outer bank" in p.text)
    assert meander.section == ("How rivers shape valleys", "Meanders")
    assert any(p.text == "By Ana Lima, river correspondent." for p in units)


def test_articles_are_read_when_there_is_no_main() -> None:
    html = """<body><nav><a href="/">Home</a></nav><p class="intro">Welcome to the shop of the week.</p>
    <article><h1>Deltas</h1><p>A delta forms where a river meets the sea.</p></article>
    <article><h1>Estuaries</h1><p>Fresh water mixes with salt water in an estuary.</p></article>
    <div class="sidebar">More stories every day.</div></body>"""
    text, units = _read(html)
    assert [p.section for p in units] == [("Deltas",), ("Estuaries",)]
    assert "Welcome" not in text and "Home" not in text and "More stories" not in text


def test_page_without_main_drops_link_lists_banners_and_footer() -> None:
    text, units = _read(BLOG)
    assert text.startswith("How rivers shape valleys\n\nRivers carve valleys")
    assert "See our guide for more." in text  # a link inside a sentence is part of it
    for boilerplate in ("River Notes", "Home", "About us", "cookies", "Posted on", "Ten facts", "Why deltas",
                        "Popular posts", "Privacy"):  # fmt: skip
        assert boilerplate not in text, boilerplate
    assert [p.kind for p in units] == ["paragraph", "item", "item", "row"]
    assert units[-1].header == "| River | Length |" and units[-1].section == ("How rivers shape valleys",)


def test_boilerplate_names_match_whole_words_not_parts_of_words() -> None:
    html = """<body><div class="menus-of-rome"><p>Roman menus listed bread and olives.</p></div>
    <div class="shared-history"><p>The two towns share a long history.</p></div>
    <div class="main-menu"><p>Menu item text.</p></div><div id="adSlot"><p>Buy now and save.</p></div>
    <div class="newsletter_signup"><p>Join our list.</p></div></body>"""
    text, _ = _read(html)
    assert "Roman menus" in text and "share a long history" in text
    assert "Menu item" not in text and "Buy now" not in text and "Join our list" not in text


def test_hidden_parts_are_never_read() -> None:
    html = """<body><p>Visible sentence about rivers.</p><p hidden>Hidden attribute text.</p>
    <div aria-hidden="true">Decorative text.</div><div style="display: none">Collapsed text.</div>
    <div role="complementary">Complementary text.</div><!-- a comment --></body>"""
    text, _ = _read(html)
    assert text == "Visible sentence about rivers."


def test_page_wide_form_and_sidebar_layout_still_hold_the_content() -> None:
    html = """<body><form id="aspnetForm"><div class="page has-sidebar"><h1>Floods</h1>
    <p>Floods spread silt over the plain.</p></div></form></body>"""
    text, _ = _read(html)
    assert text == "Floods\n\nFloods spread silt over the plain."


def test_text_outside_paragraphs_and_in_layout_tables_is_read() -> None:
    html = """<body><table><tr><td><h2>Old page</h2>Text straight in a cell.<br>Still the same line.</td></tr>
    </table><div>Text straight in a <b>div</b>.<p>A paragraph inside it.</p>And text after it.</div></body>"""
    _, units = _read(html)
    assert [p.text for p in units] == [
        "Text straight in a cell. Still the same line.",
        "Text straight in a div.",
        "A paragraph inside it.",
        "And text after it.",
    ]
    assert all(p.kind == "paragraph" and p.section == ("", "Old page") for p in units)


def test_list_item_holding_paragraphs_is_an_item() -> None:
    _, units = _read("<main><ul><li><p>Rivers erode their banks.</p></li></ul></main>")
    assert [(p.text, p.kind) for p in units] == [("Rivers erode their banks.", "item")]


FAQ = """<!doctype html><html><body><main><h1>Water service</h1>
<details><summary>How do I start water service?</summary><p>Submit a request 3 business days before you move in.</p>
</details>
<p>Our offices are open on weekdays.</p>
<dl><dt>Can I pay with a credit card?</dt><dd>Yes, online and by phone.</dd>
<dt>What if I can't pay on time?</dt><dd>Call us to set up a payment plan.</dd></dl>
<div class="accordion-item"><button class="accordion-header" aria-expanded="false" aria-controls="p2">Is there a fee
to stop service?</button><div id="p2" style="display:none"><p>No, stopping service is free.</p></div></div>
<h2><button aria-expanded="false" aria-controls="p1">When are meters read?</button></h2>
<div id="p1" hidden><p>Meters are read every 30 days.</p></div>
<p><strong>Can I get a paper bill?</strong></p><p>Yes, paper bills are free.</p>
<p><strong>Note:</strong> bills are mailed monthly.</p>
<p hidden>Hidden promotion text.</p><button type="button">Print this page</button>
</main></body></html>"""


def test_a_faq_question_heads_its_answer_however_the_page_folds_it() -> None:
    # <details>, a definition list, an accordion's button and its closed panel, a button in a heading: each question
    # is its answer's section, and only until its answer ends
    text, units = _read(FAQ)
    section = {p.text: p.section for p in units}
    assert section["Submit a request 3 business days before you move in."] == (
        "Water service", "How do I start water service?")
    assert section["Our offices are open on weekdays."] == ("Water service",)
    assert section["Yes, online and by phone."] == ("Water service", "Can I pay with a credit card?")
    assert section["Call us to set up a payment plan."] == ("Water service", "What if I can't pay on time?")
    assert section["No, stopping service is free."] == ("Water service", "Is there a fee to stop service?")
    assert section["Meters are read every 30 days."] == ("Water service", "When are meters read?")
    # a question set in bold by hand heads what follows it, as far as the next one or its container's end
    assert section["Yes, paper bills are free."] == ("Water service", "When are meters read?", "Can I get a paper bill?")
    assert section["Note: bills are mailed monthly."] == section["Yes, paper bills are free."]
    assert "Hidden promotion text" not in text and "Print this page" not in text
