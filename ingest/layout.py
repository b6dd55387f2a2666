"""The lines of a PDF page from its characters' positions (pypdfium2), and their reading order across columns."""

import ctypes
import re
import statistics
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

_BREAKS = {"\r", "\n"}
_SPACES = {" ", "\t", "\xa0"}


@dataclass(slots=True)
class Line:
    """A run of characters on one baseline with no wide gap inside; its box in points from the page's top-left."""

    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # the font size of most of its characters
    bold: bool
    column: int = 0  # -1: spans the page's columns
    segments: int = 1  # runs on its baseline within its column (more than one: a table row)
    beside: bool = False  # another line of its column stands beside it: a table's cell (centred ones too)


def _font_name(textpage: ctypes.c_void_p, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, 128, ctypes.byref(flags))
    return buffer.value.decode("latin-1", "replace")


def _bold(textpage: ctypes.c_void_p, index: int) -> bool:
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    return weight >= 600 or bool(
        re.search(r"bold|black|heavy|semibold", _font_name(textpage, index), re.IGNORECASE)
    )


class _Run:
    """Characters gathered into one line while reading a page."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.x0 = self.top = float("inf")
        self.x1 = self.bottom = float("-inf")
        self.sizes: list[float] = []
        self.first = self.last = -1  # indexes of its first and last characters, for the font

    def add(self, char: str, box: tuple[float, float, float, float], size: float, index: int) -> None:
        if self.first < 0:
            self.first = index
        self.last = index
        self.chars.append(char)
        left, top, right, bottom = box
        self.x0, self.top = min(self.x0, left), min(self.top, top)
        self.x1, self.bottom = max(self.x1, right), max(self.bottom, bottom)
        self.sizes.append(size)


def page_lines(textpage: ctypes.c_void_p, height: float, number: int) -> list[Line]:
    """The page's lines in content order: a new line starts at a line break the document wrote, a change of
    baseline, a step back, or a gap wider than one and a half characters' height (a column's gutter, a table's
    cells)."""
    lines: list[Line] = []
    rect = pdfium_c.FS_RECTF()
    run, space, typed = _Run(), False, False

    def close() -> None:
        nonlocal run
        text = "".join(run.chars).strip()
        if text:
            size = statistics.median(run.sizes)
            lines.append(
                # bold from end to end: a paragraph that opens with a bold label ("Background: Norovirus is") is none
                Line(number, text, run.x0, run.top, run.x1, run.bottom, size,
                     _bold(textpage, run.first) and _bold(textpage, run.last))
            )
        run = _Run()

    for i in range(pdfium_c.FPDFText_CountChars(textpage)):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 32)
        generated = pdfium_c.FPDFText_IsGenerated(textpage, i)
        if char in _BREAKS:
            # A break pdfium made up where the text moved (back from a superscript: "therapies³ have") ends no line
            # by itself; the next character's place decides. A break the document wrote does.
            if not generated:
                close()
            space = True
            continue
        if char in _SPACES or generated:
            space = True
            typed = typed or (char in _SPACES and not generated)
            continue
        if char == "\x02":  # pdfium's mark for a hyphen at a line's end
            char = "-"
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)  # the glyph's advance and the font's full height
        size = pdfium_c.FPDFText_GetFontSize(textpage, i) or 1.0
        box = (rect.left, height - rect.top, rect.right, height - rect.bottom)
        if run.chars:
            base = max(run.sizes[-1], size)
            new_line = abs(box[3] - run.bottom) > 0.5 * base and abs(box[1] - run.top) > 0.5 * base
            # A wide gap the document typed a space into is a justified line's; one it skipped is a gutter's or
            # a table's between cells.
            if new_line or box[0] < run.x1 - base or (box[0] - run.x1 > 1.5 * base and not typed):
                close()
            elif space or box[0] - run.x1 > 0.3 * base:
                run.chars.append(" ")
        space = typed = False
        run.add(char, box, size, i)
    close()
    return lines


def _gutters(lines: list[Line]) -> list[float]:
    """The x of each gap between columns: a band at least 6 points wide that next to no line of column width crosses
    (a running header, a page number, a short title or a copyright line centred on the page may: three of them on a
    page whose columns hold only a few lines each, as a short last page's)."""
    narrow = [ln for ln in lines if ln.x1 - ln.x0 > 0]
    if len(narrow) < 6:
        return []
    x_min, x_max = min(ln.x0 for ln in narrow), max(ln.x1 for ln in narrow)
    width = x_max - x_min
    narrow = [ln for ln in narrow if ln.x1 - ln.x0 < 0.6 * width]
    if len(narrow) < 6:
        return []
    covered = [0] * (int(width) + 2)
    for line in narrow:
        for x in range(int(line.x0 - x_min), int(line.x1 - x_min) + 1):
            covered[x] += 1
    gutters, start = [], None
    few = max(3, 0.04 * len(narrow))
    for x, count in enumerate(covered):
        if count <= few and start is None:
            start = x
        elif count > few and start is not None:
            gap = x_min + (start + x) / 2
            if (
                x - start >= 6
                and start > 0.15 * width
                and x < 0.85 * width
                and _columns_beside(narrow, gap, width)
                and not _table_gap(narrow, gap)
            ):
                gutters.append(gap)
            start = None
    return gutters


def _columns_beside(lines: list[Line], gap: float, width: float) -> bool:
    """Whether text runs in columns on both sides of a gap: several lines of a column's width on each (the cells of
    a table leave gaps too, but its cells are short)."""
    full = [ln for ln in lines if ln.x1 - ln.x0 >= 0.25 * width]
    return sum(ln.x1 < gap for ln in full) >= 4 and sum(ln.x0 > gap for ln in full) >= 4


def _table_gap(lines: list[Line], gap: float) -> bool:
    """Whether a gap is a table's, between its last column and the others: most lines right of it share a baseline
    (within 2 points) with a line left of it that is a cell of a row there, beside another line on its baseline. A
    column of text beside another holds no rows."""
    left = [ln for ln in lines if ln.x1 < gap]
    right = [ln for ln in lines if ln.x0 > gap]
    cells = [ln for ln in left if any(o is not ln and abs(o.bottom - ln.bottom) <= 2 for o in left)]
    shared = sum(any(abs(c.bottom - ln.bottom) <= 2 for c in cells) for ln in right)
    return bool(right) and shared >= 0.5 * len(right)


def _rows(lines: list[Line], furniture: set[int] | frozenset[int]) -> None:
    """Mark the lines that share a baseline (within 2 points) with another of their column: a table row's cells; and
    those that stand beside another (overlapping it by two fifths of a line's height), as a cell centred in a row
    whose other cells wrap onto more lines does. The page's furniture (running headers, a banner) is no cell."""
    lines = [line for line in lines if id(line) not in furniture]
    group: list[Line] = []
    for line in sorted(lines, key=lambda ln: (ln.column, ln.bottom)):
        if group and (line.column != group[0].column or line.bottom - group[0].bottom > 2):
            for cell in group:
                cell.segments = len(group)
            group = []
        group.append(line)
    for cell in group:
        cell.segments = len(group)
    ordered = sorted(lines, key=lambda ln: (ln.column, ln.top))
    for i, line in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.column != line.column or other.top >= line.bottom:
                break
            overlap = min(line.bottom, other.bottom) - other.top
            apart = line.x1 <= other.x0 or other.x1 <= line.x0
            if apart and overlap >= 0.4 * min(line.bottom - line.top, other.bottom - other.top):
                line.beside = other.beside = True


def reading_order(lines: list[Line], furniture: set[int] | frozenset[int] = frozenset()) -> list[Line]:
    """Lines in reading order: top to bottom, and between two lines that span the columns, each column in turn
    from left to right. Furniture: the ids of the page's running lines, which are no table's cells."""
    gutters = _gutters(lines)
    for line in lines:
        crossed = [g for g in gutters if line.x0 < g < line.x1]
        line.column = -1 if crossed else sum(g < line.x0 for g in gutters)
    _rows(lines, furniture)
    ordered: list[Line] = []
    band: list[Line] = []
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        if line.column == -1 and line.segments == 1 and not line.beside:
            ordered += sorted(band, key=lambda ln: (ln.column, ln.top, ln.x0))
            ordered.append(line)
            band = []
        else:
            band.append(line)
    return ordered + sorted(band, key=lambda ln: (ln.column, ln.top, ln.x0))
