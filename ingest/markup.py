"""Blocks of Markdown (source text kept as written) and of HTML (text extracted, blocks joined by blank lines)."""

import re

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from ingest.plain import line_spans, trim
from ingest.units import Block

_MD = MarkdownIt("commonmark").enable("table")
_MARKER = re.compile(r"\s*(?:>\s*)*(?:[-*+]|\d+[.)])?\s*")
_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dt", "dd", "figcaption"]
_SKIP = ["script", "style", "noscript", "template", "head"]


def _set_heading(section: tuple[str, ...], level: int, title: str) -> tuple[str, ...]:
    return (*section[: level - 1], *([""] * (level - 1 - len(section))), title)[:level]


def markdown_blocks(doc_id: str, text: str) -> list[Block]:
    """Paragraphs, list items and table rows of a Markdown text, with their heading trail."""
    lines = line_spans(text, 0, len(text))
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    header: str | None = None
    in_item = 0
    tokens = _MD.parse(text)
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "heading_open":
            section = _set_heading(section, int(token.tag[1]), tokens[i + 1].content.strip())
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


def _text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def html_blocks(doc_id: str, html: str) -> tuple[str, list[Block]]:
    """The page's readable text (one block per paragraph, item, row or heading) and its blocks."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_SKIP):
        tag.decompose()
    parts: list[str] = []
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    header: str | None = None
    cursor = 0
    for element in soup.find_all(_HTML_BLOCKS):
        if element.name != "tr" and (element.find(_HTML_BLOCKS) or element.find_parent("tr")):
            continue
        if element.name == "tr":
            cells = [_text(cell) for cell in element.find_all(["td", "th"])]
            content = "| " + " | ".join(cells) + " |"
            if element.find("th") and not element.find("td"):
                header = content
        else:
            content = _text(element)
        if not content:
            continue
        start = cursor
        parts.append(content)
        cursor += len(content) + 2
        if element.name[0] == "h" and element.name[1:].isdigit():
            section = _set_heading(section, int(element.name[1]), content)
        elif element.name == "tr":
            if content != header:
                blocks.append(Block(doc_id, start, start + len(content), "row", section, header=header))
        else:
            kind = "item" if element.name in ("li", "dd", "dt") else "paragraph"
            blocks.append(Block(doc_id, start, start + len(content), kind, section))
    return "\n\n".join(parts), blocks
