"""Blocks of plain text: paragraphs, list items, Markdown-style table rows, short titles.

Text exported from a PDF comes one layout line per line, wrapped at a fixed width: its lines are joined back
into paragraphs, and lines that are only a page number (or a running header at page breaks) make no block.
"""

import re
from dataclasses import dataclass, field
from itertools import pairwise

from ingest.units import Block

_TERMINAL = tuple('.!?:;,"”’)]')
_CLOSERS = '"”’)]'
_SENTENCE = (".", "!", "?")
_LEAD_IN = (*_SENTENCE, ":")  # a sentence, or the lead-in to a list
_ITEM = re.compile(r"\s*(?:[-*+•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")
_RULE_CELL = re.compile(r"[-=]{2,}")
_ROMAN = r"(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})"  # front-matter pages, lowercase so "IV" stays a heading
_PAGE_NUMBER = (
    re.compile(  # "- 88 -", "88", "Page 88", "88 of 120", "[iv]"; a year ("1998") is no page number
        rf"[-–—\[(]?\s*(?:(?i:page|pg\.?|p\.)\s*)?(?:\d{{1,3}}|{_ROMAN})"
        rf"(?:\s*(?:/|(?i:of))\s*\d{{1,4}})?\s*[-–—\])]?"
    )
)
_NUMBERS = re.compile(r"\d+")
_PAGE_APART = 10  # content lines between two pages' headers, at the least
_MIN_WRAPPED = 8  # lines a text needs before its width can tell that it is hard-wrapped
_BAND = 0.65  # a wrapped line is at least this share of the wrap width, unless the paragraph ends there
_LONG = 0.8  # a line this share of the width or more, ending mid-sentence, was wrapped (a heading is shorter)


def is_table_row(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 2 and stripped.startswith("|") and stripped.endswith("|")


def _row_parts(lines: dict[int, str], content: list[int]) -> dict[int, int]:
    """Table rows a wrap broke over lines: their first line -> their last. A row begun with a pipe goes on over
    the lines after it to the one ending with a pipe ("| Lipid nanoparticles | Fatty particles encapsulate and
    deliver genetic" | "material | mRNA-based therapies |"); a whole row goes on over a line that ends with a pipe
    and starts with none (a break that fell just after a pipe: "| Ex vivo editing | Cells removed |" |
    "Blood disorders |"). Lines with a blank one between belong to no one row."""
    parts: dict[int, int] = {}
    last = -1
    for pos, i in enumerate(content):
        first = lines[i]
        if i <= last or not first.startswith("|"):
            continue
        end = i
        for j in content[pos + 1 : pos + 1 + _ROW_LINES]:
            line, whole = lines[j], end == i and is_table_row(first)
            if j != end + 1 or line.startswith("|") or whole and not line.endswith("|"):
                break
            end = j
            if line.endswith("|"):
                break
        if end != i and lines[end].endswith("|"):
            parts[i] = last = end
    return parts


def _is_rule(line: str) -> bool:
    """A table's rule: "|---|:--:|", or dashes under the columns of a table laid out with spaces."""
    parts = line.split()
    return _TABLE_RULE.fullmatch(line) is not None or bool(parts) and all(map(_RULE_CELL.fullmatch, parts))


def is_page_number(line: str) -> bool:
    return _PAGE_NUMBER.fullmatch(line.strip()) is not None


_GAP = re.compile(r"\s{3,}|\t")  # between the columns of a table laid out with spaces
_NARROW_GAP = re.compile(r"(?<![.!?:;,])\s{2,}|\t")  # where a long cell leaves less room, in such a table
_CELL = re.compile(r"\S+(?:(?:\s|(?<=[.!?:;,])\s\s)\S+)*")  # a cell's text: words with no gap (_NARROW_GAP) between
_MIN_ALIGNED = 3  # lines in a row that a table laid out with spaces needs
_ROW_LINES = 4  # lines after its first that a table row broken by a wrap may run over
_LABEL_WORDS = 3  # words a header's cell may have ("Replacement frequency"; not "Short press: start/pause cleaning")


def row_cells(line: str) -> list[str]:
    """A table row's cells: between its pipes, or (laid out with spaces) between its wide gaps; a row laid out
    with spaces over several lines (with its first line's indent) has each cell's parts joined, column by column."""
    stripped = line.strip()
    if is_table_row(stripped):
        return [cell.strip() for cell in stripped.strip("|").split("|")]
    if "\n" in stripped:
        return _column_cells(line.rstrip().split("\n"))
    return [cell.strip() for cell in _NARROW_GAP.split(stripped) if cell.strip()]


def _column_cells(lines: list[str]) -> list[str]:
    """Cells broken over lines: each part joins the column its first line has starting at or left of it."""
    pieces = [[(m.start(), m.group()) for m in _CELL.finditer(line)] for line in lines]
    starts = [start for start, _ in pieces[0]]
    cells: list[list[str]] = [[] for _ in starts]
    for line in pieces:
        for start, piece in line:
            cells[max((n for n, s in enumerate(starts) if s <= start + 2), default=0)].append(piece)
    return [" ".join(parts) for parts in cells if parts]


def row_context(header: str | None, row: str) -> str:
    """A row as 'Header: cell; ...' so retrieval sees what each cell means; the citation stays the row."""
    if header is None:
        return " ; ".join(row_cells(row))
    pairs = zip(row_cells(header), row_cells(row), strict=False)
    return "; ".join(f"{name}: {cell}" if name else cell for name, cell in pairs)


def _is_title(line: str, next_line: str | None) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= 80
        and len(stripped.split()) <= 10
        and not stripped.endswith(_TERMINAL)
        and not is_table_row(stripped)
        and not _ITEM.match(line)
        and next_line is not None
    )


def _ends(line: str, stops: tuple[str, ...] = _SENTENCE) -> bool:
    return line.rstrip(_CLOSERS).endswith(stops)


def line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line in text[start:end], without its line break."""
    spans, cursor = [], start
    for line in text[start:end].split("\n"):
        spans.append((cursor, cursor + len(line)))
        cursor += len(line) + 1
    return spans


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _structural(line: str) -> bool:
    return is_table_row(line) or _ITEM.match(line) is not None


def _aligned(text: str, raw: list[tuple[int, int]], spans: list[tuple[int, int]], content: list[int],
             dropped: set[int]) -> tuple[dict[int, bool], dict[int, int]]:  # fmt: skip
    """The rows of tables laid out with spaces ("Noise level          44 dB(A)"): runs of consecutive lines of two
    cells or more, at least _MIN_ALIGNED of them between wide gaps (a long cell may leave two spaces, a sentence's
    end followed by two spaces is no gap), going on past a page's running lines; each row says whether it is its
    table's header (the first row, when a rule is under it, or its cells are short labels holding no digit and a
    cell below holds one).
    Also the rows whose cells a wrap broke over lines: their first line -> their last (_continues_row)."""
    lines = {i: text[slice(*spans[i])] for i in content}
    cells = {i: row_cells(line) for i, line in lines.items()}
    indent = {i: spans[i][0] - raw[i][0] for i in content}
    wide = {i for i, line in lines.items() if len(_GAP.split(line)) >= 2}
    rows: dict[int, bool] = {}
    parts: dict[int, int] = {}
    run: list[int] = []

    def close() -> None:
        if sum(k in wide for k in run) >= _MIN_ALIGNED:
            margin = min(indent[k] for k in run)
            first: list[int] = []
            for n, k in enumerate(run):  # a row runs over _ROW_LINES lines after its first at most, as a pipe row
                if not n or not _continues_row(run[n - 1], k, cells[k], indent[k] - margin) or k - first[-1] > _ROW_LINES:
                    first.append(k)
            for a, b in zip(first, [*first[1:], run[-1] + 1], strict=True):
                if (last := max(k for k in run if k < b)) != a:
                    parts[a] = last
            digits = [any(ch.isdigit() for cell in cells[k] for ch in cell) for k in first]
            rows.update(dict.fromkeys(first, False))
            ruled = len(first) > 1 and _is_rule(lines[first[1]])
            labels = all(len(cell.split()) <= _LABEL_WORDS and ":" not in cell for cell in cells[first[0]])
            rows[first[0]] = ruled or labels and not digits[0] and any(digits[1:])
        run.clear()

    for i in content:
        beside = run and i == run[-1] + 1 and len(cells[i]) == 1 and indent[i] > min(indent[k] for k in run) + 2
        if (len(cells[i]) < 2 and not beside) or is_table_row(lines[i]):
            close()
            continue
        between = range(run[-1] + 1, i) if run else range(0)
        if between and not (any(k in dropped for k in between) and all(k in dropped or k not in lines for k in between)):
            close()  # a blank line or prose between: another table (a page's running lines and margins are none)
        run.append(i)
    close()
    return rows, parts


def _continues_row(before: int, line: int, cells: list[str], indent: int) -> bool:
    """A line of a table laid out with spaces goes on with the row above it (right under it, no page between):
    its first cell is empty or starts in lowercase, or its other cells, two or more, all do ("Robot does not turn"
    / "on"; "Cannot connect to" / "Wi-Fi      password; weak signal      check the password; move")."""
    if line != before + 1 or _is_rule(" ".join(cells)):
        return False
    return indent > 2 or cells[0][:1].islower() or len(cells) > 2 and all(c[:1].islower() for c in cells[1:])


def _wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped text was wrapped at: most lines run close to it and end mid-sentence."""
    if len(lines) < _MIN_WRAPPED:
        return None
    lengths = sorted(map(len, lines))
    width = lengths[19 * (len(lengths) - 1) // 20]  # a few longer lines (a URL, a wide row) don't set it
    band = [line for line in lines if _BAND * width <= len(line) <= width]
    ended = sum(map(_ends, band))  # one paragraph per line ends nearly every line with a sentence
    return width if width <= 200 and 2 * len(band) >= len(lines) and 5 * ended < 2 * len(band) else None


@dataclass(frozen=True, slots=True)
class _Gap:
    """What lies between a content line and the next: nothing, blank lines, a page break."""

    next: int | None  # the next content line, None at the end
    blank: bool = False
    page: bool = False  # a page number, a running header or a form feed


@dataclass(frozen=True, slots=True)
class _Lines:
    """A text's lines as read: which carry content, what follows each, the width it is wrapped at."""

    text: str
    raw: list[tuple[int, int]]  # each line as written, without its break
    spans: list[tuple[int, int]]  # each line trimmed
    gaps: dict[int, _Gap]  # content line -> what follows it
    after_blank: frozenset[int]  # content lines with nothing or a blank line before them
    width: int | None  # None when the text is not hard-wrapped
    aligned: dict[int, bool]  # rows of tables laid out with spaces: whether each is its table's header

    def line(self, i: int | None) -> str | None:
        return None if i is None else self.text[self.spans[i][0] : self.spans[i][1]]

    def structural(self, i: int) -> bool:
        """Line i is a table row or a list item: it starts a block of its own."""
        return i in self.aligned or _structural(self.line(i))

    def column(self, i: int) -> int:
        """Where line i's words start: past its indent, and past the marker of a list item."""
        item = _ITEM.match(self.line(i))
        indent = sum(c in " \t" for c in self.text[self.raw[i][0] : self.spans[i][0]])  # not a form feed
        return indent + (item.end() if item else 0)

    def full(self, i: int, j: int) -> bool:
        """Line i was broken by the wrap width: it runs long, or the next line's first word would not fit
        on it; a next line indented past line i's words starts a paragraph instead."""
        assert self.width is not None
        length, word = self.spans[i][1] - self.raw[i][0], len(self.line(j).split(None, 1)[0])
        long = length >= _LONG * self.width and not _ends(self.line(i), _LEAD_IN)
        return (long or length + 1 + word > self.width) and self.column(j) <= self.column(i)

    def continued(self, i: int) -> bool:
        """The next line evidently goes on from line i: it starts lowercase, or line i was wrapped."""
        j, gap = self.gaps[i].next, self.gaps[i]
        if j is None or gap.blank and not gap.page or self.structural(j):
            return False
        return self.line(j)[:1].islower() or (self.width is not None and self.full(i, j))

    def joins(self, i: int, item: bool) -> bool:
        """The block line i is in goes on with the next content line."""
        j, gap, line = self.gaps[i].next, self.gaps[i], self.line(i)
        if j is None or self.structural(j):
            return False
        if gap.blank or gap.page:  # only a sentence left unfinished goes on past blank lines or a page break
            if _ends(line, _LEAD_IN):
                return False
            wrapped = self.width is None or self.full(i, j)
            return self.line(j)[:1].islower() or gap.page and wrapped
        if self.continued(i):
            return True
        if self.width is not None or item:  # a wrapped text's line that is not full was ended by its writer
            return False
        return not line.endswith(_TERMINAL)  # unwrapped text: a line ending a sentence ends its paragraph


def _running(text: str, spans: list[tuple[int, int]], filled: list[int], numbers: set[int]) -> set[int]:
    """Lines beside page breaks whose text recurs at half of them or more: a header or footer on every page.
    A line going on in lowercase is a sentence's end, however often it happens to recur."""
    beside: dict[str, set[int]] = {}
    feeds = 0
    for pos, i in enumerate(filled):
        before = filled[pos - 1 : pos] if pos else []
        if i in numbers:
            around = before + filled[pos + 1 : pos + 2]
        elif "\f" in text[spans[before[0]][1] if before else 0 : spans[i][0]]:
            around, feeds = before + [i], feeds + 1
        else:
            continue
        for k in around:
            if k not in numbers:
                beside.setdefault(text[spans[k][0] : spans[k][1]], set()).add(k)
    least = max(2, max(len(numbers), feeds) / 2)
    return {
        k
        for line, ks in beside.items()
        if len(ks) >= least and len(line) <= 80 and not line[0].islower()
        for k in ks
    }


def _numbered(text: str, spans: list[tuple[int, int]], filled: list[int]) -> set[int]:
    """Lines that recur with their number counting up, mostly a page apart: a header or footer holding the page
    number ("Model DW-450 User Manual   page 12") where no line of its own marks the page break. Lines a few apart,
    a number that does not count up (a figure repeated) or a line of one or two words ("Chapter 2") are none."""
    found: dict[str, list[tuple[int, int, tuple[int, ...]]]] = {}
    for pos, i in enumerate(filled):
        line = text[spans[i][0] : spans[i][1]]
        numbers = _NUMBERS.findall(line)
        if numbers and len(line) <= 80 and len(line.split()) >= 3 and not line[0].islower():
            found.setdefault(_NUMBERS.sub("#", line), []).append((pos, i, tuple(map(int, numbers))))
    return {
        i
        for seen in found.values()
        if len(seen) >= 3
        and all(b[2] > a[2] for a, b in pairwise(seen))
        and all(b[0] - a[0] > _PAGE_APART for a, b in pairwise(seen[:-1]))  # the last page may be short
        for _, i, _ in seen
    }


def _joined(parts: dict[int, int], spans: list[tuple[int, int]], raw: list[tuple[int, int]],
            content: list[int]) -> list[int]:  # fmt: skip
    """Each table row a wrap broke over lines made one line (its first -> its last), in place; the content lines
    left."""
    for i, last in parts.items():
        spans[i], raw[i] = (spans[i][0], spans[last][1]), (raw[i][0], raw[last][1])
    absorbed = {k for i, last in parts.items() for k in range(i + 1, last + 1)}
    return [k for k in content if k not in absorbed]


def _read(text: str, start: int, end: int) -> _Lines:
    raw = line_spans(text, start, end)
    spans = [trim(text, a, b) for a, b in raw]
    filled = [i for i, (a, b) in enumerate(spans) if b > a]
    numbers = {i for i in filled if is_page_number(text[spans[i][0] : spans[i][1]])}
    dropped = numbers | _running(text, spans, filled, numbers) | _numbered(text, spans, filled)
    content = [i for i in filled if i not in dropped]
    rows = _row_parts({i: text[slice(*spans[i])] for i in content}, content)
    content = _joined(rows, spans, raw, content)
    aligned, parts = _aligned(text, raw, spans, content, dropped)
    content = _joined(parts, spans, raw, content)
    gaps = {}
    for i, j in zip(content, [*content[1:], None], strict=True):
        between = range(i + 1, len(raw) if j is None else j)
        page = (
            any(k in dropped for k in between)
            or "\f" in text[spans[i][1] : spans[j][0] if j is not None else end]
        )
        gaps[i] = _Gap(j, any(spans[k][0] == spans[k][1] for k in between), page)
    measured = [text[raw[i][0] : spans[i][1]] for i in content
                if not is_table_row(text[slice(*spans[i])]) and i not in aligned]  # fmt: skip
    after_blank = frozenset(content[:1]) | {gap.next for gap in gaps.values() if gap.blank and gap.next is not None}
    return _Lines(text, raw, spans, gaps, after_blank, _wrap_width(measured), aligned)


@dataclass(slots=True)
class _Blocks:
    """Blocks as they are read, line by line."""

    doc_id: str
    page: int | None
    blocks: list[Block] = field(default_factory=list)
    section: tuple[str, ...] = ()
    header: str | None = None  # the header row of the table being read
    open: tuple[str, int, int] | None = None  # the block being read: kind, start, end
    resumed: str | None = None  # the kind of a block left unfinished at a page break, that the next line resumes

    def close(self) -> None:
        if self.open is not None:
            kind, start, end = self.open
            self.blocks.append(Block(self.doc_id, start, end, kind, self.section, self.page))
            self.open = None

    def row(self, line: str, start: int, end: int, header: bool | None = None) -> None:
        """A table's row, or its header: as said (a table laid out with spaces), else its first row."""
        self.close()
        if _is_rule(line):
            return
        if self.header is None if header is None else header:
            self.header = line
            return
        self.blocks.append(Block(self.doc_id, start, end, "row", self.section, self.page, self.header))

    def add(self, lines: _Lines, i: int, titles: bool) -> None:
        (a, b), line = lines.spans[i], lines.line(i)
        if is_table_row(line):
            return self.row(line, a, b)
        if i in lines.aligned:  # a row of a table laid out with spaces: its header, when it has one, is no row
            return self.row(line, a, b, lines.aligned[i])
        self.header = None
        item = _ITEM.match(line)
        following = lines.line(lines.gaps[i].next)
        if item and titles and i in lines.after_blank and lines.gaps[i].blank and line.lstrip()[:1].isdigit() and (
            _is_title(line[item.end() :], following) and line[item.end()].isupper() and not _ITEM.match(following)
        ):  # a numbered line standing alone over a paragraph: a section's title ("2. Installation"), no list item
            self.close()
            self.section = (line,)
            return
        if item:
            self.close()
            self.open = ("item", a + item.end(), b)
        elif self.open is not None:
            self.open = (self.open[0], self.open[1], b)
        elif self.resumed is not None:
            self.open = (self.resumed, a, b)
        elif titles and _is_title(line, following) and not lines.continued(i):
            self.section = (line,)
            return
        else:
            self.open = ("paragraph", a, b)
        self.resumed = None
        if not lines.joins(i, self.open[0] == "item"):
            self.close()
        elif lines.gaps[i].page:  # it goes on past a page break: in a block of its own, the page number in neither
            self.resumed = self.open[0]
            self.close()


def plain_blocks(
    doc_id: str,
    text: str,
    start: int = 0,
    end: int | None = None,
    page: int | None = None,
    titles: bool = True,
) -> list[Block]:
    """Split text into blocks: a paragraph runs over the lines that continue it, across wraps and pages."""
    lines = _read(text, start, len(text) if end is None else end)
    reading = _Blocks(doc_id, page)
    for i in lines.gaps:
        reading.add(lines, i, titles)
        gap = lines.gaps[i]
        if gap.blank and not gap.page and not (is_table_row(line := lines.line(gap.next) or "") or _is_rule(line)):
            reading.header = None  # a table ends at a blank line, unless a row follows it (a table spaced out)
    reading.close()
    return reading.blocks
