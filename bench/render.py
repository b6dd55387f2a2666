"""An article as a real-looking PDF, Word file, text export or web page, for python bench/formats.py."""

import html
import io
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph as WordParagraph
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

SITE = "Example Encyclopedia"
RUNNING = "Encyclopedia extract"  # the running header reads "<title> — Encyclopedia extract"
SUBTITLE = f"From {SITE}, the free reference work"
RIGHTS = f"© 2026 {SITE} · CC BY-SA 4.0"
NAV = ("Main page", "Browse topics", "Random article", "Featured content", "Recent changes", "Help desk",
       "About the project", "Contact us")  # fmt: skip
RELATED = ("Ten facts about rivers", "A short history of maps", "How glaciers shape valleys",
           "Great explorers of the Pacific", "Why cities grow along coasts")  # fmt: skip
COOKIE = "We use cookies to improve your experience."
ACCEPT = "Accept all cookies"
FOOTER = f"© 2026 {SITE}. All rights reserved."
PRIVACY = "Privacy policy"
PAGE_LINES = 55  # lines of a text export's page, before its page-number line
WRAP = 72
BROWSER = "/usr/bin/chromium"


@dataclass(frozen=True, slots=True)
class Article:
    name: str  # file stem
    title: str
    paragraphs: tuple[str, ...]


def _header(title: str) -> str:
    return f"{title} — {RUNNING}"


# Every string a renderer injects that is not article text, by format; page numbers are the patterns below.
BOILERPLATE = {
    "plain": (),
    "pdf": (RUNNING, SITE, SUBTITLE, RIGHTS, "CC BY-SA 4.0"),
    "docx": (RUNNING, SITE, SUBTITLE, RIGHTS, "CC BY-SA 4.0"),
    "wrapped": (),
    "html": (SITE, *NAV, "Related articles", *RELATED, COOKIE, ACCEPT, FOOTER, PRIVACY),
}
BOILERPLATE["html-nomain"] = BOILERPLATE["html"]
BOILERPLATE["pdf-print"] = (*BOILERPLATE["html"], "file://")
PAGE_NUMBERS = {  # injected page-number text, found anywhere in a sentence
    "pdf": re.compile(r"Page \d+ of \d+"),
    "docx": re.compile(r"Page \d+ of \d+"),
    "wrapped": re.compile(r"(?<!\S)- \d+ -(?!\S)"),
    "pdf-print": re.compile(r"(?<!\S)\d{1,3}/\d{1,3}(?!\S)|\d+/\d+/\d+, \d+:\d+ [AP]M"),  # "2/5"; the date printed
}
# A sentence that is nothing but a page number: "12", "- 12 -", "Page 3 of 7".
PAGE_ONLY = re.compile(r"[\s\-–—.]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[\s\-–—.]*", re.IGNORECASE)


def _runs(article: Article) -> list[tuple[bool, list[str]]]:
    """The paragraphs in runs: of Markdown table lines ("| a | b |", True), or of paragraphs (False)."""
    return [(table, list(run)) for table, run in groupby(article.paragraphs, key=lambda p: p.startswith("|"))]


def _blocks(article: Article) -> list[str]:
    """The paragraphs, a run of table lines as one block."""
    return [block for table, lines in _runs(article) for block in (["\n".join(lines)] if table else lines)]


def write_plain(article: Article, path: Path) -> None:
    path.write_text(article.title + "\n\n" + "\n\n".join(_blocks(article)) + "\n", encoding="utf-8")


# --- PDF: A4, two justified hyphenated columns, running header, "Page N of M" footer


@cache
def _fonts() -> tuple[str, str]:
    """DejaVu Serif where installed (the articles hold Greek letters and math signs Times lacks)."""
    regular = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    bold = regular.with_name("DejaVuSerif-Bold.ttf")
    if not (regular.exists() and bold.exists()):
        return "Times-Roman", "Times-Bold"
    pdfmetrics.registerFont(TTFont("BodySerif", str(regular)))
    pdfmetrics.registerFont(TTFont("BodySerif-Bold", str(bold)))
    return "BodySerif", "BodySerif-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12, alignment=TA_JUSTIFY,
                          firstLineIndent=10, spaceAfter=3, hyphenationLang="en_US")  # fmt: skip
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=22, leading=27, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName="Helvetica-Oblique", fontSize=9, leading=11),
        "body": body,
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
    }


def _decorate(title: str, total: int) -> Callable:
    """The onPage callback: running header and a rule above the columns, rights and page number below."""
    width, height = A4

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawString(2 * cm, height - 1.3 * cm, _header(title))
        canvas.setLineWidth(0.4)
        canvas.line(2 * cm, height - 1.45 * cm, width - 2 * cm, height - 1.45 * cm)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, RIGHTS)
        canvas.drawRightString(width - 2 * cm, 1.2 * cm, f"Page {doc.page} of {total}")
        canvas.restoreState()

    return draw


def _templates(title: str, total: int) -> list[PageTemplate]:
    """Page 1: a full-width title band over two columns; later pages: two columns."""
    width, height = A4
    margin, gap, top, bottom, band = 2 * cm, 0.7 * cm, height - 1.8 * cm, 1.8 * cm, 2.4 * cm
    column = (width - 2 * margin - gap) / 2

    def columns(upper: float) -> list[Frame]:
        return [
            Frame(margin + i * (column + gap), bottom, column, upper - bottom, id=f"c{i}") for i in (0, 1)
        ]

    on_page = _decorate(title, total)
    first = [Frame(margin, top - band, width - 2 * margin, band, id="band"), *columns(top - band)]
    return [PageTemplate("first", first, onPage=on_page), PageTemplate("later", columns(top), onPage=on_page)]


def _pdf_pass(article: Article, target: io.BytesIO | str, total: int) -> int:
    """Lay the article out once; returns the page count (the footer's M comes from a first pass)."""
    styles = _styles()
    doc = BaseDocTemplate(target, pagesize=A4, title=article.title, author=SITE, invariant=1)
    doc.addPageTemplates(_templates(article.title, total))
    story = [NextPageTemplate("later"), Paragraph(html.escape(article.title), styles["title"]),
             Paragraph(html.escape(SUBTITLE), styles["subtitle"]), FrameBreak()]  # fmt: skip
    for table, lines in _runs(article):
        story += [_pdf_table(lines, styles["cell"])] if table else [Paragraph(html.escape(p), styles["body"]) for p in lines]
    doc.build(story)
    return doc.page


def _rows(lines: list[str]) -> list[list[str]]:
    """Markdown table lines ("| a | b |", "|---|---|") as rows of cells, the header first."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines if not set(line) <= set("|-: ")]


def _pdf_table(lines: list[str], style: ParagraphStyle) -> Table:
    """A table as a word processor sets one: cells wrapping at the column's width, set at the top of their row."""
    rows = [[Paragraph(html.escape(cell), style) for cell in row] for row in _rows(lines)]
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]))
    return table


def write_pdf(article: Article, path: Path) -> None:
    total = _pdf_pass(article, io.BytesIO(), 0)
    _pdf_pass(article, str(path), total)


def pdf_hyphens(path: Path, source: str) -> int:
    """Words the PDF breaks at a line end with a hyphen that the article writes whole."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pairs = re.findall(r"(\w+)\ufffe(\w+)", text)  # pdfium marks a hyphen that breaks a word at a line's end
    return sum(1 for head, tail in pairs if head + tail in source and f"{head}-{tail}" not in source)


# --- Word: Title, justified paragraphs, header, footer with PAGE / NUMPAGES fields


def _field(paragraph: WordParagraph, code: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) as Word writes one, with the value it shows until Word updates it."""
    parts = [("w:fldChar", "begin"), ("w:instrText", f" {code} "), ("w:fldChar", "separate"), ("w:t", shown),
             ("w:fldChar", "end")]  # fmt: skip
    for tag, value in parts:
        run, element = OxmlElement("w:r"), OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.text = value
            element.set(qn("xml:space"), "preserve")
        run.append(element)
        paragraph._p.append(run)


def write_docx(article: Article, path: Path) -> None:
    document = docx.Document()
    document.core_properties.title, document.core_properties.author = article.title, SITE
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(article.title, level=0)
    document.add_paragraph(SUBTITLE, style="Subtitle")
    for table, lines in _runs(article):
        if table:
            rows = _rows(lines)
            grid = document.add_table(rows=len(rows), cols=len(rows[0]))
            for cells, row in zip(grid.rows, rows, strict=True):
                for cell, text in zip(cells.cells, row, strict=True):
                    cell.text = text
            continue
        for text in lines:
            document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    section = document.sections[0]
    section.header.paragraphs[0].text = _header(article.title)
    footer = section.footer.paragraphs[0]
    footer.add_run(RIGHTS + "\tPage ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(
        footer, "NUMPAGES", str(1 + sum(map(len, article.paragraphs)) // 4000)
    )  # Word's count until updated
    document.save(path)


# --- Text export: pdftotext without -layout


def write_wrapped(article: Article, path: Path) -> None:
    """Lines wrapped at 72 columns, a blank line between paragraphs, paragraphs running on across pages; each
    page ends with its number on a line of its own ("- 3 -") and a form feed, as pdftotext writes pages."""
    lines = [article.title, ""]
    for text in article.paragraphs:
        lines += [*textwrap.wrap(text, WRAP), ""]
    pages = []
    for number, first in enumerate(range(0, len(lines), PAGE_LINES), start=1):
        body = "\n".join(lines[first : first + PAGE_LINES]).strip("\n")
        pages.append(f"{body}\n\n- {number} -\n\f")
    path.write_text("".join(pages), encoding="utf-8")


# --- Web pages: header, nav, cookie banner, sidebar, footer around the article


def _page(article: Article, content: str) -> str:
    links = "".join(f'<li><a href="/{label.lower().replace(" ", "-")}">{label}</a></li>' for label in NAV)
    related = "".join(f'<li><a href="/wiki/{label.replace(" ", "_")}">{label}</a></li>' for label in RELATED)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{html.escape(article.title)} — {SITE}</title>
<style>body{{display:grid;grid-template-columns:3fr 1fr}} .cookie-banner{{position:fixed;bottom:0}}</style>
</head>
<body>
<div class="cookie-banner" role="dialog"><p>{COOKIE} <button type="button">{ACCEPT}</button></p></div>
<header class="site-header"><a class="logo" href="/">{SITE}</a>
<nav aria-label="Main"><ul>{links}</ul></nav></header>
{content}
<aside class="sidebar"><h2>Related articles</h2><ul>{related}</ul></aside>
<footer><p>{FOOTER} <a href="/privacy">{PRIVACY}</a></p></footer>
<script>document.querySelector(".cookie-banner button").onclick=e=>e.target.closest("div").remove();</script>
</body>
</html>
"""


def _html_row(cells: list[str], tag: str) -> str:
    return "<tr>" + "".join(f"<{tag}>{html.escape(cell)}</{tag}>" for cell in cells) + "</tr>"


def _table(lines: list[str]) -> str:
    """Markdown table lines as an HTML table, the first row its header."""
    head, *rows = _rows(lines)
    body = "".join(_html_row(row, "td") for row in rows)
    return f"<table><thead>{_html_row(head, 'th')}</thead><tbody>{body}</tbody></table>"


def _body(article: Article) -> str:
    """The title and the paragraphs; a run of table lines as a table."""
    parts: list[str] = []
    for table, lines in _runs(article):
        parts += [_table(lines)] if table else [f"<p>{html.escape(p)}</p>" for p in lines]
    return f"<h1>{html.escape(article.title)}</h1>\n" + "\n".join(parts)


def write_html(article: Article, path: Path) -> None:
    path.write_text(_page(article, f"<main><article>\n{_body(article)}\n</article></main>"), encoding="utf-8")


def write_html_nomain(article: Article, path: Path) -> None:
    """The same page with the article in plain divs: no <main>, no <article> to find it by."""
    content = f'<div class="content"><div class="article-body">\n{_body(article)}\n</div></div>'
    path.write_text(_page(article, content), encoding="utf-8")


# --- A web page printed to PDF by a browser: its header (date, page title), footer (address, "2/5"), the page's
# layout (the article beside its sidebar, table cells centred in their rows and wrapping), the cookie banner on
# every page


def write_printed(article: Article, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    page_file = path.with_suffix(".html")
    write_html(article, page_file)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto(page_file.resolve().as_uri())
        page.pdf(path=str(path), format="A4", display_header_footer=True,
                 margin={"top": "2cm", "bottom": "2cm", "left": "1.5cm", "right": "1.5cm"})  # fmt: skip
        browser.close()
    page_file.unlink()


RENDERERS: dict[str, tuple[str, Callable[[Article, Path], None]]] = {  # format: (file suffix, renderer)
    "plain": (".txt", write_plain),
    "pdf": (".pdf", write_pdf),
    "docx": (".docx", write_docx),
    "wrapped": (".txt", write_wrapped),
    "html": (".html", write_html),
    "html-nomain": (".html", write_html_nomain),
    "pdf-print": (".pdf", write_printed),
}
