"""Blocks of plain text (also PDF page text): paragraphs, list items, Markdown-style table rows, short titles."""

import re

from ingest.units import Block

_TERMINAL = tuple(".!?:;,\"”’)]")
_ITEM = re.compile(r"\s*(?:[-*+•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")


def is_table_row(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 2 and stripped.startswith("|") and stripped.endswith("|")


def row_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


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


def plain_blocks(
    doc_id: str,
    text: str,
    start: int = 0,
    end: int | None = None,
    page: int | None = None,
    titles: bool = True,
) -> list[Block]:
    """Split text into blocks: a line ending a sentence ends a paragraph; a wrapped line continues it."""
    end = len(text) if end is None else end
    lines = [trim(text, a, b) for a, b in line_spans(text, start, end)]
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    header: str | None = None
    para: tuple[int, int] | None = None

    def close() -> None:
        nonlocal para
        if para is not None:
            blocks.append(Block(doc_id, para[0], para[1], "paragraph", section, page))
            para = None

    for i, (a, b) in enumerate(lines):
        line = text[a:b]
        following = next((text[x:y] for x, y in lines[i + 1 :] if y > x), None)
        if a == b:
            close()
            header = None
            continue
        if is_table_row(line):
            close()
            if _TABLE_RULE.fullmatch(line):
                continue
            if header is None:
                header = line
                continue
            blocks.append(Block(doc_id, a, b, "row", section, page, header))
            continue
        header = None
        item = _ITEM.match(line)
        if item:
            close()
            blocks.append(Block(doc_id, a + item.end(), b, "item", section, page))
        elif titles and para is None and _is_title(line, following):
            section = (line,)
        else:
            para = (para[0], b) if para else (a, b)
            if line.endswith(_TERMINAL):
                close()
    close()
    return blocks
