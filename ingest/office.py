"""Word (.docx) and PowerPoint (.pptx) documents: their text as read, headings or slide titles as sections."""

import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pptx
from docx.document import Document as WordDocument
from lxml.etree import _Element
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape
from pptx.slide import Slide
from pptx.text.text import _Paragraph

from ingest.markup import Reading, set_heading, title_like
from ingest.units import HEADING_TYPE, Document, Limits, Loaded, Unreadable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # repeats its Choice
_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml"}  # content controls: what they hold is the body's
# Not in a paragraph's text: deleted or moved-away changes, properties, text boxes (read as their own blocks)
_UNREAD = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "txbxContent", _FALLBACK}
_MARKS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_HEADING = re.compile(r"heading ([1-9])")
_NOT_READ = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER}
_BULLETED = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.VERTICAL_BODY,
             PP_PLACEHOLDER.VERTICAL_OBJECT}  # fmt: skip


def _check_archive(path: Path, limits: Limits, kind: str) -> Callable[[], None]:
    """Refuse what is no zip or would unpack past the limit; the check that the time limit is not passed."""
    if not zipfile.is_zipfile(path):
        raise Unreadable(f"not a valid .{kind} file (not a zip archive)")
    with zipfile.ZipFile(path) as archive:
        # zipfile stops inflating a member at its declared size, so declared sizes bound what a reader unpacks
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unpacked_bytes:
        raise Unreadable(
            f"unpacks past the limit ({unpacked:,} bytes, at most {limits.max_unpacked_bytes:,})"
        )
    deadline = time.monotonic() + limits.max_seconds

    def check() -> None:
        if time.monotonic() > deadline:
            raise Unreadable(f"took longer than {limits.max_seconds:g} s to read")

    return check


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _add_table(reading: Reading, rows: list[list[str]]) -> None:
    """Rows as "| a | b |", each whole; the first is the others' header (a table of one row is just a row)."""
    rows = [cells for cells in rows if any(cells)]
    header = _row(rows[0]) if len(rows) > 1 else None
    for i, cells in enumerate(rows):
        reading.add(_row(cells), None if header and i == 0 else "row", header)


def _shown(element: _Element) -> str:
    """A paragraph's text as shown: inserted text in; deleted, hidden and field-code text out; boxes apart."""
    out = []
    for child in element:
        if child.tag in _UNREAD or (child.tag == W + "r" and _hidden(child)):
            continue
        out.append((child.text or "") if child.tag == W + "t" else _MARKS.get(child.tag) or _shown(child))
    return "".join(out)


def _hidden(run: _Element) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("false", "0", "off")


def _boxes(element: _Element) -> Iterator[_Element]:
    """The text boxes drawn in a paragraph, outermost only (each box's own boxes are read with it)."""
    for child in element:
        if child.tag == W + "txbxContent":
            yield child
        elif child.tag not in (_FALLBACK, W + "del"):
            yield from _boxes(child)


def _unwrap(element: _Element) -> Iterator[_Element]:
    for child in element:
        yield from _unwrap(child) if child.tag in _WRAPPERS else (child,)


def _paragraphs(element: _Element) -> Iterator[_Element]:
    for child in element:
        if child.tag == W + "p":
            yield child
            yield from (p for box in _boxes(child) for p in _paragraphs(box))
        elif child.tag != _FALLBACK:
            yield from _paragraphs(child)


@dataclass(frozen=True, slots=True)
class _Style:
    name: str  # lower case: Word stores built-in names in English ("heading 1") whatever the user's language
    outline: int | None  # 0-based outline level, 9 for body text
    numbered: bool


def _styles(document: WordDocument) -> dict[str | None, _Style]:
    """Paragraph styles by id, each with what it inherits from its base; None maps to the default style."""
    found = {el.get(W + "styleId"): el for el in document.styles.element.iterfind(W + "style")}
    styles: dict[str | None, _Style] = {None: _Style("normal", None, False)}
    for style_id, element in found.items():
        name, outline, numbered, el = element.find(W + "name"), None, False, element
        for _ in range(10):  # the base chain is short, and may loop in a broken file
            level = el.find(f"{W}pPr/{W}outlineLvl")
            outline = int(level.get(W + "val")) if outline is None and level is not None else outline
            numbered = numbered or el.find(f"{W}pPr/{W}numPr") is not None
            base = el.find(W + "basedOn")
            if base is None or (el := found.get(base.get(W + "val"))) is None:
                break
        styles[style_id] = _Style(
            (name.get(W + "val") if name is not None else "").lower(), outline, numbered
        )
        if element.get(W + "default") in ("1", "true") and element.get(W + "type") == "paragraph":
            styles[None] = styles[style_id]
    return styles


def _on(flag: _Element | None) -> bool:
    return flag is not None and flag.get(W + "val", "true") not in ("false", "0", "off")


def _default_size(document: WordDocument) -> int:
    """The type size (half-points) of text that sets none: the document's default, else Word's 11 points."""
    sz = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz")
    value = sz.get(W + "val") if sz is not None else None
    return int(value) if value and value.isdigit() else 22


def _look(p: _Element, default: int) -> tuple[bool, int | None] | None:
    """How a paragraph's visible text is set: whether every run is bold, and the size (half-points) all its runs
    share (None where they differ); None where it has no visible run."""
    runs = [r for r in p.iter(W + "r") if (r.findtext(W + "t") or "").strip() and not _hidden(r)]
    if not runs:
        return None
    sizes = set()
    for run in runs:
        sz = run.find(f"{W}rPr/{W}sz")
        value = sz.get(W + "val") if sz is not None else None
        sizes.add(int(value) if value and value.isdigit() else default)
    return all(_on(r.find(f"{W}rPr/{W}b")) for r in runs), sizes.pop() if len(sizes) == 1 else None


@dataclass(frozen=True, slots=True)
class _HandSet:
    """Headings set by hand, with no heading style: a short paragraph in larger type than the body's, or in bold;
    levels by size, larger first, under the deepest heading style the document uses, bold in body type last."""

    default: int  # the size of text that sets none
    levels: dict[int | None, int]  # by size; None: bold in body type

    @classmethod
    def of(cls, document: WordDocument, styles: dict[str | None, _Style]) -> "_HandSet":
        default, styled, sizes, shapes = _default_size(document), 0, Counter(), []
        for p in document.element.body.iter(W + "p"):
            level, text = _level(p, _style(p, styles)), _shown(p).strip()
            if level is not None:
                styled = max(styled, level)
            elif (look := _look(p, default)) is not None:
                if look[1] is not None:
                    sizes[look[1]] += len(text)
                shapes.append((look, title_like(text)))
        body = sizes.most_common(1)[0][0] if sizes else default
        larger = sorted({size for (_, size), short in shapes if short and size and size >= HEADING_TYPE * body}, reverse=True)
        levels: dict[int | None, int] = {size: styled + n for n, size in enumerate(larger, start=1)}
        if any(short and bold and size not in levels for (bold, size), short in shapes):
            levels[None] = styled + len(larger) + 1
        return cls(default, levels)

    def level(self, p: _Element, text: str) -> int | None:
        if not title_like(text) or (look := _look(p, self.default)) is None:
            return None
        bold, size = look
        if size is not None and size in self.levels:
            return self.levels[size]
        return self.levels.get(None) if bold else None


def _style(p: _Element, styles: dict[str | None, _Style]) -> _Style:
    style_id = p.find(f"{W}pPr/{W}pStyle")
    return styles.get(style_id.get(W + "val") if style_id is not None else None, styles[None])


@dataclass(slots=True)
class _Word:
    reading: Reading
    styles: dict[str | None, _Style]
    check: Callable[[], None]
    hand: _HandSet
    title: tuple[str, ...] = ()  # the document's Title, above every heading in the trail

    def walk(self, element: _Element) -> None:
        for child in _unwrap(element):
            self.check()
            if child.tag == W + "p":
                self.paragraph(child)
                for box in _boxes(child):
                    self.walk(box)
            elif child.tag == W + "tbl":
                rows = [_unwrap(tr) for tr in _unwrap(child) if tr.tag == W + "tr"]
                _add_table(self.reading, [[_cell(tc) for tc in row if tc.tag == W + "tc"] for row in rows])

    def paragraph(self, p: _Element) -> None:
        text, style = _shown(p).strip(), _style(p, self.styles)
        if not text or style.name.startswith("toc"):  # a table of contents repeats the headings
            return
        numbered = style.numbered or p.find(f"{W}pPr/{W}numPr") is not None
        level = _level(p, style)
        if level is None and not numbered:
            level = self.hand.level(p, text)
        if level is None:
            self.reading.add(text, "item" if numbered or style.name.startswith("list") else "paragraph")
            return
        self.reading.add(text)
        title = " ".join(text.split())
        if level == 0:
            self.title = self.reading.section = (title,)
        else:
            headings = set_heading(self.reading.section[len(self.title) :], level, title)
            self.reading.section = (*self.title, *headings)


def _cell(tc: _Element) -> str:
    return " ".join(" ".join(_shown(p) for p in _paragraphs(tc)).split())


def _level(p: _Element, style: _Style) -> int | None:
    """0 for the document's title, n for a heading of level n, None for body text."""
    if style.name == "title":
        return 0
    if heading := _HEADING.fullmatch(style.name):
        return int(heading[1])
    own = p.find(f"{W}pPr/{W}outlineLvl")
    outline = int(own.get(W + "val")) if own is not None else style.outline
    return outline + 1 if outline is not None and outline < 9 else None


def read_docx(path: Path, doc_id: str, limits: Limits) -> Loaded:
    """The body in order: paragraphs, items, table rows, text boxes; not page headers, footers, comments."""
    check = _check_archive(path, limits, "docx")
    document = docx.Document(str(path))
    styles = _styles(document)
    word = _Word(Reading(doc_id), styles, check, _HandSet.of(document, styles))
    word.walk(document.element.body)
    return Loaded(Document(doc_id, word.reading.text, "docx"), word.reading.blocks)


def _text(paragraph: _Paragraph) -> str:
    return paragraph.text.replace("\v", "\n")  # python-pptx writes a line break as a vertical tab


def _is_bullet(paragraph: _Paragraph, bulleted: bool) -> bool:
    """A body placeholder's paragraphs are bullets unless switched off; a text box's only when marked."""
    ppr = paragraph._p.pPr  # python-pptx has no API for bullets
    if ppr is not None and ppr.find(qn("a:buNone")) is not None:
        return False
    marked = ppr is not None and (
        ppr.find(qn("a:buChar")) is not None or ppr.find(qn("a:buAutoNum")) is not None
    )
    return bulleted or marked or paragraph.level > 0


def _shape(reading: Reading, shape: BaseShape) -> None:
    if isinstance(shape, GroupShape):
        for child in sorted(shape.shapes, key=lambda s: (s.top or 0, s.left or 0)):
            _shape(reading, child)
    elif shape.is_placeholder and shape.placeholder_format.type in _NOT_READ:
        return
    elif shape.has_table:
        _add_table(reading, [[" ".join(c.text.split()) for c in row.cells] for row in shape.table.rows])
    elif shape.has_text_frame:
        bulleted = shape.is_placeholder and shape.placeholder_format.type in _BULLETED
        for paragraph in shape.text_frame.paragraphs:
            reading.add(_text(paragraph), "item" if _is_bullet(paragraph, bulleted) else "paragraph")


def _slide(reading: Reading, slide: Slide, number: int) -> None:
    """A slide's title (its section), then its shapes top to bottom and left to right, then its notes."""
    reading.page, title = number, slide.shapes.title
    heading = " ".join(title.text_frame.text.split()) if title is not None and title.has_text_frame else ""
    reading.section = (heading,) if heading else ()
    reading.add(heading)
    for shape in sorted(slide.shapes, key=lambda s: (s.top or 0, s.left or 0)):
        if title is None or shape.shape_id != title.shape_id:
            _shape(reading, shape)
    notes = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
    if notes is not None:
        reading.section = (*reading.section, "Notes")
        for paragraph in notes.paragraphs:
            reading.add(_text(paragraph), "paragraph")


def read_pptx(path: Path, doc_id: str, limits: Limits) -> Loaded:
    """Each slide a page: its title as the section, its text boxes, tables and speaker notes."""
    check = _check_archive(path, limits, "pptx")
    slides = list(pptx.Presentation(str(path)).slides)
    reading = Reading(doc_id)
    for number, slide in enumerate(slides, start=1):
        check()
        _slide(reading, slide, number)
    return Loaded(Document(doc_id, reading.text, "pptx", pages=len(slides)), reading.blocks)
