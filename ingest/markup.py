"""Blocks of Markdown (source kept as written) and of HTML (the main content as read, parts joined)."""

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.plain import line_spans, trim
from ingest.units import Block

_MD = MarkdownIt("commonmark").enable("table")
_MARKER = re.compile(r"\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])(?=\s|$))?\s*")  # "**Methods:**" is no list item
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_ITEMS = {"li", "dd"}
_QUESTIONS = {"summary", "dt"}  # head what follows them in their <details> or <dl> (a FAQ's questions, a glossary's terms)
_BREAKS = {*_HEADINGS, *_ITEMS, *_QUESTIONS, "address", "article", "aside", "blockquote", "body", "caption", "center",
           "details", "dialog", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "header",
           "hgroup", "hr", "html", "legend", "main", "ol", "p", "pre", "section", "table", "td",
           "th", "tr", "ul"}  # fmt: skip
_SKIP = ["script", "style", "noscript", "template", "head", "button", "select", "input", "textarea", "iframe",
         "svg", "canvas", "video", "audio", "object", "embed", "nav", "aside", "dialog", "menu"]  # fmt: skip
_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
# Words of an id or class that mark boilerplate, matched whole: "menu" hits "main-menu", not "menus-of-rome".
_WORDS = {"ad", "ads", "advert", "adverts", "advertisement", "banner", "breadcrumb", "breadcrumbs",
          "comments", "copyright", "headerlink", "menu", "modal", "nav", "navbar", "navbox", "navigation",
          "newsletter", "pagination", "popup", "promo", "related", "share", "sharing", "sidebar", "signup",
          "skip", "social", "sponsored", "subscribe", "toc", "widget", "widgets", "sr-only",
          "visually-hidden", "screen-reader-text"}  # fmt: skip
_DISCLOSING = {"accordion", "collapse", "collapsible", "expand", "toggle", "faq", "question", "disclosure"}
_STEMS = ("cookie", "consent", "gdpr")  # also inside glued names ("cookiebar"): no English word hides them
_FRAMING = {"header", "footer", "masthead"}
_KINDS = {"paragraph", "item"}  # what a link-density test may drop; never a heading or a row
_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")  # words of a name, camelCase too
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def set_heading(section: tuple[str, ...], level: int, title: str) -> tuple[str, ...]:
    """The trail after a heading of this level (1-based): deeper headings end, missing ones are blank."""
    return (*section[: level - 1], *([""] * (level - 1 - len(section))), title)[:level]


@dataclass(slots=True)
class Reading:
    """A text as read, built part by part: parts joined by blank lines, blocks with offsets into the whole."""

    doc_id: str
    section: tuple[str, ...] = ()
    page: int | None = None
    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    cursor: int = 0
    asked: int | None = None  # the trail's length before the open question, while one is

    def add(self, content: str, kind: str | None = None, header: str | None = None) -> None:
        """Append a part; with a kind it is also a block (a heading or a header row is text but no block)."""
        content = content.strip()
        if not content:
            return
        start, self.cursor = self.cursor, self.cursor + len(content) + 2
        self.parts.append(content)
        if kind:
            self.blocks.append(
                Block(self.doc_id, start, start + len(content), kind, self.section, self.page, header)
            )

    def heading(self, level: int, title: str) -> None:
        self.add(title)
        if title.strip():
            self.section = set_heading(self.section, level, title.strip())
        self.asked = None

    def question(self, title: str) -> None:
        """A question (or a term) heading what follows it until it is answered: under the headings before it, in
        place of the question before it."""
        self.answered()
        self.add(title)
        if title.strip():
            self.asked = len(self.section)
            self.section = (*self.section, title.strip())

    def answered(self) -> None:
        if self.asked is not None:
            self.section, self.asked = self.section[: self.asked], None

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def markdown_blocks(doc_id: str, text: str) -> list[Block]:
    """Paragraphs, list items and table rows of a Markdown text, with their heading trail."""
    lines = line_spans(text, 0, len(text))
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()  # the trail of the headings, without a question set in bold
    header: str | None = None
    in_item = 0
    tokens = _MD.parse(text)
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "heading_open":
            section = headings = set_heading(headings, int(token.tag[1]), tokens[i + 1].content.strip())
        elif token.type == "paragraph_open" and not in_item and (asked := _bold_paragraph(tokens[i + 1])):
            section = (*headings, asked)  # "**How do I pay?**": a question heading its answer, as far as the next
        elif token.type in ("paragraph_open", "tr_open") and token.map:
            first, last = token.map
            start, end = trim(text, lines[first][0], lines[last - 1][1])
            if token.type == "paragraph_open":
                start += _MARKER.match(text, start, end).end() - start
                kind = "item" if in_item else "paragraph"
                blocks.append(Block(doc_id, start, end, kind, section))
            elif tokens[i - 1].type == "thead_open":
                header = text[start:end]
            else:
                blocks.append(Block(doc_id, start, end, "row", section, header=header))
    return [b for b in blocks if b.end > b.start]


def _bold_paragraph(inline: Token) -> str | None:
    """A Markdown paragraph that is all one bold span, short: its text ("**How do I pay?**"); else None."""
    kinds = [child.type for child in inline.children or [] if child.type != "text" or child.content.strip()]
    if kinds[:1] != ["strong_open"] or kinds[-1:] != ["strong_close"] or kinds.count("strong_open") != 1:
        return None
    text = " ".join("".join(c.content for c in inline.children if c.type in ("text", "code_inline")).split())
    return text if title_like(text) else None


def _words(tag: Tag) -> set[str]:
    """The words of an element's id and classes: "cookie-bar", "cookie_bar", "cookieBar" give cookie, bar."""
    names = " ".join([tag.get("id") or "", *tag.get("class", [])])
    words = set(names.lower().split())
    words.update(part.lower() for part in _PARTS.findall(names))
    return words


def title_like(text: str) -> bool:
    """Short, with a letter, not ending like a sentence or a clause (a question may be a heading)."""
    return len(text.split()) <= 12 and any(c.isalpha() for c in text) and not text.endswith((".", ",", ";", ":"))


def _bold_line(tag: Tag) -> bool:
    """A paragraph that is all bold and short, as a heading or a FAQ's question set by hand ("<p><strong>How do I
    pay?</strong></p>"), holding no block of its own."""
    if tag.find(lambda t: t.name in _BREAKS) is not None:
        return False
    strings = [text for text in tag.find_all(string=True) if text.strip()]
    text = " ".join(tag.get_text(" ").split())
    return bool(strings) and all(_bold(piece, tag) for piece in strings) and title_like(text)


def _bold(piece: NavigableString, within: Tag) -> bool:
    for parent in piece.parents:
        if parent is within:
            return False
        if parent.name in ("strong", "b"):
            return True
    return False


def _disclosures(soup: BeautifulSoup) -> set[str]:
    """An accordion's buttons read as its questions (a <summary>'s name given to each), and the ids of the panels
    they open, which may be hidden until opened: a button that says what it opens (aria-expanded, aria-controls) or
    sits in an accordion ("accordion-header"). A button inside a heading is the heading's text."""
    controlled: set[str] = set()
    for button in soup.find_all(lambda t: t.name == "button" or t.get("role") == "button"):
        opens = button.has_attr("aria-expanded") or button.has_attr("aria-controls")
        if button.find_parent(_HEADINGS) is not None:
            button.name = "span"
        elif opens or _words(button) & _DISCLOSING:
            button.name = "summary"
        controlled.update(str(button.get("aria-controls", "")).split())
    return controlled


def _is_main(tag: Tag) -> bool:
    return tag.name == "main" or tag.get("role") == "main"


def _holds(tag: Tag, names: tuple[str, ...]) -> bool:
    return tag.find(lambda t: t.name in names or t.get("role") == "main") is not None


def _own_header(tag: Tag) -> bool:
    """An article's or section's own header holds its heading; a site's header or footer does not."""
    inside = tag.find_parent(lambda t: t.name in ("article", "main", "section") or t.get("role") == "main")
    return inside is not None and tag.find(_HEADINGS) is not None


def _flagged(tag: Tag, words: set[str], controlled: set[str]) -> bool:
    roles = set(str(tag.get("role", "")).lower().split())
    hidden = (
        tag.get("aria-hidden") == "true"
        or tag.has_attr("hidden")
        or _HIDDEN_STYLE.search(str(tag.get("style", "")))
    ) and not (tag.get("id") in controlled or words & _DISCLOSING)  # a closed accordion's panel is read
    stems = any(stem in word for word in words for stem in _STEMS)
    return bool(hidden or tag.name == "form" or roles & _ROLES or words & _WORDS or stems)


def _is_boilerplate(tag: Tag, controlled: set[str]) -> bool:
    """Headers, footers, banners, sidebars, forms, hidden parts; never a wrapper of the content (a page-wide
    ASP.NET form, a "has-sidebar" layout div)."""
    if tag.name in ("html", "body", "main", "article", "summary") or _is_main(tag):
        return False
    words = _words(tag)
    if tag.name in ("header", "footer") or words & _FRAMING:
        return not _own_header(tag) and not _holds(tag, ("main", "article"))
    return _flagged(tag, words, controlled) and not _holds(tag, ("main", "article", "h1"))


def _cell(cell: Tag) -> str:
    return " ".join(cell.get_text(" ").split())


def _is_layout(table: Tag) -> bool:
    """A table laying out a page (one column, or cells holding headings, lists or tables), not data."""
    rows = [tr.find_all(["td", "th"], recursive=False) for tr in _rows(table)]
    nested = table.find(["table", "ul", "ol", *_HEADINGS]) is not None
    return nested or all(len(cells) <= 1 for cells in rows)


def _rows(table: Tag) -> list[Tag]:
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


@dataclass(slots=True)
class _Walker:
    """Inline text gathered between block boundaries, as (kind, text, header) runs in reading order."""

    drop_links: bool  # no main or article to trust: a block that is mostly link text is navigation
    runs: list[tuple[str, str, str | None]] = field(default_factory=list)
    buffer: list[tuple[str, bool]] = field(default_factory=list)

    def visit(self, node: Tag, kind: str, link: bool = False) -> None:
        asked = False
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctypes, CDATA are not text
                    self.buffer.append((str(child), link))
            elif child.name == "br":
                self.buffer.append((" ", link))
            elif child.name == "table" and not _is_layout(child):
                self.flush(kind)
                self.table(child)
            elif child.name in _QUESTIONS or (child.name in ("p", "div") and _bold_line(child)):
                self.flush(kind)
                self.visit(child, "question")
                self.flush("question")
                asked = True
            elif child.name in _BREAKS:
                self.flush(kind)
                inner = child.name if child.name in _HEADINGS else "item" if child.name in _ITEMS else kind
                self.visit(child, inner)
                self.flush(inner)
            else:
                self.visit(child, kind, link or child.name == "a")
        if asked:  # the <details>, <dl> or accordion item ends: what follows is no answer to its question
            self.flush(kind)
            self.runs.append(("answered", "", None))

    def flush(self, kind: str) -> None:
        text = " ".join("".join(piece for piece, _ in self.buffer).split())
        linked = sum(len("".join(piece.split())) for piece, link in self.buffer if link)
        self.buffer.clear()
        if text and not (self.drop_links and kind in _KINDS and 2 * linked >= len(text.replace(" ", ""))):
            self.runs.append((kind, text, None))

    def table(self, table: Tag) -> None:
        if caption := table.find("caption", recursive=False):
            self.runs.append(("paragraph", _cell(caption), None))
        header = None
        for tr in _rows(table):
            cells = tr.find_all(["td", "th"], recursive=False)
            if not any(_cell(cell) for cell in cells):
                continue
            content = "| " + " | ".join(_cell(cell) for cell in cells) + " |"
            if tr.find("th", recursive=False) and not tr.find("td", recursive=False):
                header = content
                self.runs.append(("header", content, None))
            else:
                self.runs.append(("row", content, header))


def _candidates(soup: BeautifulSoup) -> list[tuple[list[Tag], bool]]:
    """Where the content is, most trusted first: every <main>, else every <article>, else the whole body."""
    mains = [tag for tag in soup.find_all(_is_main) if tag.find_parent(_is_main) is None]
    articles = [tag for tag in soup.find_all("article") if tag.find_parent("article") is None]
    return [(mains, False), (articles, False), ([soup.body or soup], True)]


def _has_content(runs: list[tuple[str, str, str | None]], i: int) -> bool:
    """Whether a heading has anything under it before the next heading of its level or above."""
    for kind, _, _ in runs[i + 1 :]:
        if kind not in _HEADINGS:
            return True
        if kind <= runs[i][0]:
            return False
    return False


def _runs(soup: BeautifulSoup) -> list[tuple[str, str, str | None]]:
    """The runs of the most trusted place holding more than headings; a heading left bare is dropped."""
    for roots, drop_links in _candidates(soup):
        walker = _Walker(drop_links)
        for root in roots:
            walker.visit(root, "paragraph")
            walker.flush("paragraph")
        runs = walker.runs
        if any(kind not in _HEADINGS for kind, _, _ in runs):
            return [run for i, run in enumerate(runs) if run[0] not in _HEADINGS or _has_content(runs, i)]
    return []


def html_blocks(doc_id: str, html: str) -> tuple[str, list[Block]]:
    """A page's main content as read (paragraphs, items, rows, headings); never navigation or banners."""
    soup = BeautifulSoup(html, "html.parser")
    controlled = _disclosures(soup)
    for tag in soup.find_all(_SKIP):
        tag.decompose()
    for tag in [tag for tag in soup.find_all(True) if _is_boilerplate(tag, controlled)]:
        if not tag.decomposed:  # inside one already dropped
            tag.decompose()
    reading = Reading(doc_id)
    for kind, content, header in _runs(soup):
        if kind in _HEADINGS:
            reading.heading(int(kind[1]), content)
        elif kind == "question":
            reading.question(content)
        elif kind == "answered":
            reading.answered()
        else:
            reading.add(content, None if kind == "header" else kind, header)
    return reading.text, reading.blocks
