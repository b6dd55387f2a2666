"""PDF documents as laid out: lines in reading order joined into paragraphs (a sentence may run across lines,
columns and pages), words hyphenated at a line's end joined again, running headers, footers and page numbers left
out, larger or bold lines as the section trail, table rows whole. The text as read is this rebuilt text."""

import io
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count, groupby, pairwise
from pathlib import Path

import pypdfium2 as pdfium
from wordfreq import zipf_frequency

from ingest.layout import Line, page_lines, reading_order
from ingest.units import CITED_NUMBERS, HEADING_TYPE, Block, Document, Limits, LineBox, Loaded, Unreadable

PAGE_NUMBER = re.compile(r"[\W_]*(page\s*)?(\d{1,4}|[ivxlc]{1,6})(\s*(of|/)\s*\d{1,4})?[\W_]*", re.IGNORECASE)
_BULLET = re.compile(r"([•●▪◦‣∙·–*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_TERMINAL = tuple(".!?:;")
_CITED_END = re.compile(CITED_NUMBERS + "$")
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+")  # "2.1. ", "3.4 ", "1. "
_SUBSECTION = re.compile(r"^\d{1,2}\.\d{1,2}\b")  # a number no list item has
_SPACED = 0.4  # beyond a paragraph's gap between lines (in font sizes) that the space before a paragraph adds
_ROW_SLACK = 0.12  # beyond a paragraph's gap between lines (in font sizes) that a table row's lines may stand apart
_MOST_CELL_LINES = 8  # a table's cell wraps onto a few lines; a column of text runs on
_PREFIXES = {"re", "pre", "un", "non", "co", "de", "dis", "mis", "sub", "anti", "inter", "over", "under", "semi",
             "multi", "post", "micro", "trans"}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
MARGIN = 0.08  # share of the page's height at its top and bottom where running headers and footers stand


def read_pdf(path: Path, doc_id: str, limits: Limits) -> Loaded:
    """The PDF's text rebuilt from its layout, its blocks, and where each line stands on its page."""
    pages = _pages(path, time.monotonic() + limits.max_seconds, limits.max_seconds)
    if not pages:
        raise Unreadable("empty: the PDF has no pages")
    if not any(lines for _, lines in pages):
        raise Unreadable("no text layer (a scanned or image-only PDF): it needs OCR before it can be read")
    return _Assembly(doc_id, _body(pages)).loaded(len(pages))


def _pages(path: Path, deadline: float, seconds: float) -> list[tuple[float, list[Line]]]:
    """Each page's height and its lines in content order."""
    if path.stat().st_size == 0:
        raise Unreadable("empty: the file has no bytes")
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Unreadable("encrypted: it cannot be read without its password") from error
        raise Unreadable(f"damaged or not a PDF ({error})") from error
    pages = []
    try:
        for number in range(1, len(pdf) + 1):
            if time.monotonic() > deadline:
                raise Unreadable(f"took longer than {seconds:g} s to read (VERBATIM_READ_SECONDS)")
            page = pdf[number - 1]
            textpage = page.get_textpage()
            height = page.get_height()
            pages.append((height, page_lines(textpage.raw, height, number)))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _margin(line: Line, height: float) -> str | None:
    if line.bottom < MARGIN * height:
        return "top"
    return "bottom" if line.top > (1 - MARGIN) * height else None


def _body(pages: list[tuple[float, list[Line]]]) -> list[Line]:
    """Every line but the running ones, page by page in reading order: text repeated in a page's top or bottom margin
    on many pages (numbers aside), page numbers standing alone there, and text repeated at one place in the lower
    quarter of most pages, three at least, or a long such text run on into more on a page (a web page's cookie
    banner printed at the foot of every page, once with its button). The running lines still bound the page's
    columns (a running title crosses a table's gaps, not a gutter), but no line beside one is a table's cell for
    it."""
    seen: Counter[tuple[str, str]] = Counter()
    placed: Counter[tuple[int, str]] = Counter()
    for height, lines in pages:
        seen.update({(zone, _shape(ln.text)) for ln in lines if (zone := _margin(ln, height))})
        placed.update({(round(ln.top / 4), _shape(ln.text)) for ln in lines if ln.top > 0.75 * height})
    enough, most = max(2.0, 0.3 * len(pages)), max(3.0, 0.5 * len(pages))
    banners: dict[int, list[str]] = {}
    for (place, shape), times in placed.items():
        if times >= most and len(shape) >= 20:
            banners.setdefault(place, []).append(shape)

    def running(line: Line, height: float) -> bool:
        place, shape = round(line.top / 4), _shape(line.text)
        # the banner, or a long one run on into what stands beside it on a page ("... Accept all cookies")
        if line.top > 0.75 * height and (placed[place, shape] >= most or any(map(shape.startswith, banners.get(place, [])))):
            return True
        zone = _margin(line, height)
        return zone is not None and (
            seen[zone, _shape(line.text)] >= enough or bool(PAGE_NUMBER.fullmatch(line.text))
        )

    body = []
    for height, lines in pages:
        furniture = {id(line) for line in lines if running(line, height)}
        body += [line for line in reading_order(lines, furniture) if id(line) not in furniture]
    return body


def _title_like(text: str) -> bool:
    """A short line that starts with a capital, after its section's number if it has one ("2.1. Participants"), and
    does not end like a sentence or a clause."""
    text = _SECTION_NUMBER.sub("", text, count=1)
    return len(text.split()) <= 8 and text[:1].isupper() and not text.endswith((*_TERMINAL, ",", "-"))


def _cell(line: Line) -> bool:
    """A table's cell: a line with another beside it in its column."""
    return line.segments > 1 or line.beside


def _cells(lines: list[Line]) -> list[list[Line]]:
    """A table row's lines by cell, left to right: lines whose spans across the page overlap are one cell's, top to
    bottom."""
    cells: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.x0):
        if cells and line.x0 < max(ln.x1 for ln in cells[-1]):
            cells[-1].append(line)
        else:
            cells.append([line])
    return [sorted(cell, key=lambda ln: ln.top) for cell in cells]


def _leading(lines: list[Line]) -> float:
    """The usual gap between a paragraph's lines, in font sizes: the median of those between a line and the next one
    under it, closer than a line's height (0.1 where none are)."""
    gaps = [
        (line.top - before.bottom) / line.size
        for before, line in pairwise(lines)
        if (before.page, before.column) == (line.page, line.column) and before.x0 < line.x1 and line.x0 < before.x1
        and -0.5 * line.size < line.top - before.bottom < 0.9 * line.size
    ]  # fmt: skip
    return statistics.median(gaps) if gaps else 0.1


def _type(line: Line) -> float:
    """A line's type size, to half a point."""
    return round(line.size * 2) / 2


def _shared(edges: list[float]) -> float:
    """The first of the sorted edges that another stands within a point of, else the first."""
    return next((a for a, b in pairwise(edges) if b - a <= 1.0), edges[0])


def _right_under(row: "_Unit", line: Line, leading: float) -> bool:
    """Whether a line stands under a table row's lines no further apart than a paragraph's lines (leading: the gap
    between a paragraph's lines, in font sizes), in its column."""
    last = row.lines[-1]
    return (line.page, line.column) == (last.page, last.column) and line.top <= max(
        ln.bottom for ln in row.lines
    ) + (leading + _ROW_SLACK) * line.size


def _same_row(row: "_Unit", line: Line, leading: float) -> bool:
    """Whether a cell's line belongs to the table row being read: right under it (a padded row's next row starts
    lower), and not opening the next row of a table whose rows touch, as a line does that stands under the row's
    first cell, shares its baseline with another cell's line and starts with a capital ("Lipid nanoparticles" under
    "Viral vectors" "(AAV, lentivirus, adenovirus)")."""
    if not _right_under(row, line, leading):
        return False
    first = min(ln.x0 for ln in row.lines)
    under = any(ln.x0 < line.x1 and line.x0 < ln.x1 for ln in row.lines)
    return not (line.segments > 1 and under and line.x0 < first + line.size and line.text[:1].isupper())


def _under_cell(row: "_Unit", line: Line, leading: float) -> bool:
    """Whether a line with nothing beside it goes on a cell of the table row above it: right under the row, within
    the span of one of its cells (a wrapped cell's last lines, below its row's other cells)."""
    if not _right_under(row, line, leading):
        return False
    spans = [(min(ln.x0 for ln in cell), max(ln.x1 for ln in cell)) for cell in _cells(row.lines)]
    return sum(line.x0 < right and left < line.x1 for left, right in spans) == 1


_UNROWED = 1000  # the columns given to the text a page's columns were not found for (_unrow)


def _unrow(units: list["_Unit"], read: Callable[[list[Line]], list["_Unit"]]) -> list["_Unit"]:
    """Table rows that are no table's (_flowing) read column by column as lines of text (read: a printed web page's
    article beside its navigation, its title in larger type a heading): text in columns side by side that the page's
    columns were not found for."""
    out: list[_Unit] = []
    columns = count(_UNROWED)
    for _, group in groupby(units, key=lambda u: (u.kind, u.lines[0].page, u.lines[0].column)):
        run = list(group)
        if run[0].kind == "row" and _flowing(run):
            for cell, column in zip(_cells([ln for row in run for ln in row.lines]), columns):
                for line in cell:
                    line.segments, line.beside, line.column = 1, False, column  # a column of its own, no cell
                out += read(sorted(cell, key=lambda ln: ln.top))
        else:
            out += run
    return out


def _flowing(rows: list["_Unit"]) -> bool:
    """Whether table rows are lines of text in columns: a row's cell runs to many lines, or in some column most rows
    run on into the next (no sentence's end, then a lowercase word)."""
    columns = _cells([ln for row in rows for ln in row.lines])
    if any(len(cell) > _MOST_CELL_LINES for row in rows for cell in _cells(row.lines)):
        return True
    for column in columns:
        ids = {id(ln) for ln in column}
        lines = [[ln for ln in row.lines if id(ln) in ids] for row in rows]
        pairs = [(above[-1], below[0]) for above, below in pairwise(lines) if above and below]
        runs_on = sum(not a.text.endswith(_TERMINAL) and b.text[:1].islower() for a, b in pairs)
        if len(pairs) >= 4 and runs_on >= 0.6 * len(pairs):
            return True
    return False


def _over_cell(above: Line, row: "_Unit", leading: float) -> bool:
    """Whether a line with nothing beside it, not ending like a sentence, is the first line of a cell of the table
    row under it: right above the row, over one of its lines (a wrapped cell's first line, above its row's other
    cells)."""
    first = min(row.lines, key=lambda ln: ln.top)
    return (
        (above.page, above.column) == (first.page, first.column)
        and 0 <= first.top - above.bottom <= (leading + _ROW_SLACK) * first.size
        and any(ln.x0 < above.x1 and above.x0 < ln.x1 for ln in row.lines)
        and not above.text.endswith(_TERMINAL)
    )


def _ends(text: str) -> bool:
    """A line ends a sentence: with its punctuation, or with the reference numbers set after it."""
    return text.endswith(_TERMINAL) or _CITED_END.search(text) is not None


def join_hyphenated(before: str, after: str, vocabulary: Counter[str] | None = None) -> bool:
    """Whether a word broken by a hyphen at a line's end is one word ("treat-" "ment"), not a compound that keeps its
    hyphen ("long-" "term"): as the document writes it elsewhere, whole or hyphenated, when it does; else one word
    unless both parts are common English words and the whole is not (or is no word at all, as in adeno-associated)."""
    head = re.search(r"[^\W\d_]+$", before[:-1])
    tail = re.match(r"[^\W\d_]+", after)
    if not head or not tail:
        return False
    joined, hyphenated = (head.group() + tail.group()).lower(), f"{head.group()}-{tail.group()}".lower()
    if vocabulary and vocabulary[joined] != vocabulary[hyphenated]:
        return vocabulary[joined] > vocabulary[hyphenated]
    if not tail.group().islower():  # Anglo-Saxon, COVID-19
        return False
    whole, first, second = (zipf_frequency(w, "en") for w in (joined, head.group(), tail.group()))
    if head.group().lower() in _PREFIXES and whole > 0:  # re- programmed: reprogrammed, a word
        return True
    return not (second >= 3.0 and (first >= 3.0 or whole == 0) and whole < 3.0)


def join_split(before: str, after: str, vocabulary: Counter[str] | None = None) -> bool:
    """Whether a table cell too narrow for a word broke it without a hyphen ("Electroporatio" "n", "cell m"
    "embranes"): joined, the parts are a word (one the document writes whole elsewhere, or an English one) and one
    of them is no English word alone."""
    head = re.search(r"[^\W\d_]+$", before)
    tail = re.match(r"[^\W\d_]+(?=\W|$)", after)
    if not head or not tail or not tail.group().islower():
        return False
    joined = (head.group() + tail.group()).lower()
    known = bool(vocabulary and vocabulary[joined]) or zipf_frequency(joined, "en") > 0
    return known and min(zipf_frequency(w, "en") for w in (head.group(), tail.group())) == 0


def vocabulary(lines: list[Line]) -> Counter[str]:
    """How often the document writes each word, hyphenated compounds whole, in lowercase."""
    return Counter(w.lower() for line in lines for w in _WORD.findall(line.text))


@dataclass(slots=True)
class _Unit:
    kind: str  # "heading", "paragraph", "item" or "row"
    lines: list[Line] = field(default_factory=list)


class _Assembly:
    """Lines grouped into headings, paragraphs, items and table rows, then written out as the document's text."""

    def __init__(self, doc_id: str, lines: list[Line]) -> None:
        self.doc_id = doc_id
        sizes = Counter({})
        for line in lines:
            sizes[_type(line)] += len(line.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 10.0
        self.edges = self._edges(lines)
        self.leading = _leading(lines)
        self.vocabulary = vocabulary(lines)
        self.units = self._units(lines)  # first: the lines of rows that are no table's are cells no more
        heading_sizes = sorted({_type(ln) for ln in lines if self._heading(ln)}, reverse=True)
        self.levels = {size: level for level, size in enumerate(heading_sizes, start=1)}

    def _heading(self, line: Line) -> bool:
        words = len(line.text.split())
        if _cell(line) or words > 20 or not any(c.isalpha() for c in line.text):
            return False
        larger = line.size >= HEADING_TYPE * self.body
        return larger or (line.bold and words <= 12 and not line.text.endswith((".", ",", ";")))

    def _goes_on(self, heading: Line, line: Line) -> bool:
        """A line goes on with a heading in larger type: in its type, on its line or the next (words a justified
        title spaces apart are read as cells of a row)."""
        larger = line.size == heading.size and line.size >= HEADING_TYPE * self.body
        return larger and line.top - heading.top < 2 * line.size

    @staticmethod
    def _edges(lines: list[Line]) -> dict[tuple[int, int], tuple[float, float]]:
        """The left and right edge of each column of each page: where two of its lines or more start (and end), a
        line standing out alone (a cookie notice's under a printed page's text) left aside; where none share an
        edge, the outermost."""
        columns: dict[tuple[int, int], list[Line]] = {}
        for line in lines:
            columns.setdefault((line.page, line.column), []).append(line)
        return {key: (_shared(sorted(ln.x0 for ln in column)), -_shared(sorted(-ln.x1 for ln in column)))
                for key, column in columns.items()}  # fmt: skip

    def _continues(self, before: Line, line: Line) -> bool:
        """Whether a line carries on the paragraph of the line before it."""
        if _BULLET.match(line.text) or _cell(line):
            return False
        if before.text.endswith("-") and join_hyphenated(before.text, line.text, self.vocabulary):
            return True
        left, right = self.edges[(line.page, line.column)]
        short = before.x1 < right - 0.4 * (right - left) or _SUBSECTION.match(before.text) is not None
        if _title_like(before.text) and short and _SECTION_NUMBER.sub("", line.text, count=1)[:1].isupper():
            return False  # a short line of capitalized words (or a numbered section's) over a sentence: a heading
        if (before.page, before.column) != (line.page, line.column):  # across a column or a page
            full = (
                before.x1 >= self.edges[(before.page, before.column)][1] - line.size
            )  # a justified line's end
            return (full or not _ends(before.text)) and line.x0 < left + 0.8 * line.size
        gap = line.top - before.bottom
        if gap > 0.9 * line.size or gap < -line.size or gap - self.leading * line.size > _SPACED * line.size:
            return False  # a line further under the one before than a paragraph's lines stand: a new paragraph
        ends = _ends(before.text)
        return not (ends and (before.x1 < right - 2 * line.size or line.x0 > left + 0.8 * line.size))

    def _units(self, lines: list[Line]) -> list[_Unit]:
        units = _unrow(self._read(lines), self._read_column)
        for unit, following in pairwise(units):
            if (
                unit.kind == "paragraph"
                and len(unit.lines) == 1
                and _title_like(unit.lines[0].text)
                and _type(unit.lines[0]) >= self.body  # smaller: a tagline or a caption
                and (following.kind != "heading")
            ):
                unit.kind = "heading"  # ranks below every heading in larger type (self.levels)
        return units

    def _read_column(self, lines: list[Line]) -> list[_Unit]:
        """A column's lines read, its edges found first."""
        self.edges.update(self._edges(lines))
        return self._read(lines)

    def _read(self, lines: list[Line]) -> list[_Unit]:
        """Lines in reading order as headings, paragraphs, list items and table rows."""
        units: list[_Unit] = []
        for line in lines:
            last = units[-1] if units else None
            if last is not None and last.kind == "heading" and self._goes_on(last.lines[-1], line):
                kind, joins = "heading", True
            elif _cell(line) or (last is not None and last.kind == "row" and _under_cell(last, line, self.leading)):
                kind = "row"
                joins = last is not None and last.kind == "row" and _same_row(last, line, self.leading)
            elif self._heading(line):
                kind = "heading"
                joins = last is not None and last.kind == "heading" and last.lines[-1].size == line.size
            else:
                kind = "item" if _BULLET.match(line.text) else "paragraph"
                joins = (
                    last is not None
                    and last.kind in ("paragraph", "item")
                    and (self._continues(last.lines[-1], line))
                )
            if joins:
                last.lines.append(line)
            else:
                units.append(_Unit(kind, [line]))
        for unit, following in pairwise(units):
            if unit.kind == "paragraph" and following.kind == "row" and _over_cell(unit.lines[-1], following, self.leading):
                following.lines.insert(0, unit.lines.pop())  # a wrapped cell's first line, alone above its row
        return [unit for unit in units if unit.lines]

    def loaded(self, pages: int) -> Loaded:
        """Write the units out: blank lines between units, a space between a paragraph's lines (none where a
        broken word is joined again), cells of a row as `| a | b |`."""
        parts: list[str] = []
        boxes: list[LineBox] = []
        blocks: list[Block] = []
        section: tuple[str, ...] = ()
        header: str | None = None
        cursor = 0
        for unit in self.units:
            if parts:
                parts.append("\n\n")
                cursor += 2
            start = cursor
            cells = _cells(unit.lines) if unit.kind == "row" else [unit.lines]
            for n, cell in enumerate(cells):
                for i, line in enumerate(cell):
                    piece = line.text
                    following = cell[i + 1] if i + 1 < len(cell) else None
                    joined = (
                        following is not None
                        and piece.endswith("-")
                        and join_hyphenated(piece, following.text, self.vocabulary)
                    )
                    if joined:
                        piece = piece[:-1]
                    elif following is not None and not piece.endswith("-") and not (
                        unit.kind == "row" and join_split(piece, following.text, self.vocabulary)
                    ):
                        piece += " "
                    if unit.kind == "row":
                        opens = "| " if n == 0 else " | "
                        piece = (opens if i == 0 else "") + piece + (" |" if following is None and n == len(cells) - 1 else "")
                    parts.append(piece)
                    boxes.append(
                        LineBox(cursor, cursor + len(piece), line.page, line.x0, line.top, line.x1, line.bottom)
                    )
                    cursor += len(piece)
            text = "".join(parts[-len(unit.lines) :]) if unit.lines else ""
            if unit.kind == "heading":
                level = self.levels.get(_type(unit.lines[0]), len(self.levels) + 1)
                section = (*section[: level - 1], *([""] * (level - 1 - len(section))), text.strip())[:level]
                header = None
                continue
            end = start + len(text.rstrip())
            if unit.kind == "row" and header is None:
                header = text
            elif unit.kind == "row":
                blocks.append(Block(self.doc_id, start, end, "row", section, unit.lines[0].page, header))
            else:
                header = None
                if unit.kind == "item":
                    start += _BULLET.match(text).end()
                blocks.append(Block(self.doc_id, start, end, unit.kind, section, unit.lines[0].page))
        document = Document(self.doc_id, "".join(parts), "pdf", pages=pages, layout=tuple(boxes))
        return Loaded(document, blocks)


def render_page(path: Path, page: int, width: int = 1100) -> bytes:
    """One page (1-based) of a PDF as a PNG about `width` pixels wide, as it looks."""
    pdf = pdfium.PdfDocument(path)
    try:
        if not 1 <= page <= len(pdf):
            raise Unreadable(f"no page {page}: the document has {len(pdf)}")
        sheet = pdf[page - 1]
        image = sheet.render(scale=width / sheet.get_width()).to_pil()
        sheet.close()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf.get_page_size(i) for i in range(len(pdf))]
    finally:
        pdf.close()
