"""Plain text as written and as exported from a PDF: paragraphs of joined lines, titles, no page numbers."""

import hashlib
import re
import textwrap
from pathlib import Path

import pytest

from ingest.plain import is_page_number, plain_blocks
from ingest.split import split_sentences

GENE_THERAPY = Path(__file__).parents[3] / "shared" / "corpus" / "gene-therapy.txt"
# Its blocks (kind, start, end, section) as read before hard-wrapped text was handled: they must not move.
GENE_THERAPY_BLOCKS = (30, "b5b3e125983faf4ef776cf745286fcaadb1a9a0a8e3b27c57cd5bf4828a809ab")

HEADER = "ACME Model 7 Controller - User Manual"
SECTIONS = {
    "Installing the controller": [
        (
            "Before you install the Model 7 controller, switch off the mains supply at the distribution board, "
            "lock the board and check with a voltage tester that no conductor is live. Never work on a live "
            "circuit, even when the display of the controller is dark."
        ),
        (
            "The controller is mounted on a standard DIN rail inside the cabinet, with at least 20 mm of free space "
            "above and below it. Warm air rises through the vents, so cabinets that are sealed need a fan rated "
            "for the heat the controller and its relays give off at full load."
        ),
        "To enable the remote monitoring function, you must:",
    ],
    "Connecting the network": [
        (
            "Connect the network cable to the port marked LAN on the underside of the housing and wait until "
            "the green lamp beside it stays lit. Open the web console in a browser on the same network and "
            "enter the serial number printed on the label, which also appears on the delivery note. ACME "
            "support staff will ask for this number whenever you call about the controller."
        ),
        (
            "If the lamp blinks amber the controller has not received an address from the network. Check the "
            "cable and the switch port, then restart the controller by holding the reset key for five seconds; "
            "Settings made in the console are kept when it restarts."
        ),
    ],
}
ITEMS = [
    "Connect the network cable to the port marked LAN and fasten the strain relief clip around it.",
    "Enter the serial number printed on the label.",
    "Choose a password of at least twelve characters for the administrator account of the console.",
]


def _manual(spaced: bool = True, numbered_header: bool = False) -> str:
    """A manual as a PDF export writes it: lines wrapped at 70 columns, page number and header every 17 lines (or
    a header holding the page number); paragraphs apart by a blank line, or (spaced=False) by nothing but the
    short line that ends each."""
    lines = [HEADER, ""]
    for title, paragraphs in SECTIONS.items():
        lines += [title, ""]
        for paragraph in paragraphs:
            lines += [*textwrap.wrap(paragraph, 70), *[""][:spaced]]
        if paragraph.endswith(":"):
            for item in ITEMS:
                lines += textwrap.wrap(item, 70, initial_indent="- ", subsequent_indent="  ")
            lines.append("")
    pages = [lines[first : first + 17] for first in range(0, len(lines), 17)]
    breaks = [f"\n\n{HEADER}   page {number}\n\n" if numbered_header else f"\n\n- {number} -\n\n{HEADER}\n\n"
              for number in range(12, 12 + len(pages))]  # fmt: skip
    return "".join("\n".join(page).strip("\n") + gap for page, gap in zip(pages, breaks, strict=True))


def _words(text: str) -> str:
    """Text with its page breaks taken out and its whitespace made single spaces, to compare with a source."""
    text = re.sub(rf"\n\n- \d+ -\n\n{HEADER}\n\n", " ", text)
    return " ".join(text.split())


def _blocks(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(b.kind, text[b.start : b.end], b.section) for b in plain_blocks("doc", text)]


def test_gene_therapy_reading_is_unchanged() -> None:
    text = GENE_THERAPY.read_bytes().decode("utf-8")
    blocks = [(b.kind, b.start, b.end, b.section) for b in plain_blocks("gene-therapy.txt", text)]
    digest = hashlib.sha256(repr(blocks).encode()).hexdigest()
    assert (len(blocks), digest) == GENE_THERAPY_BLOCKS


def _rejoined(text: str, kind: str) -> list[str]:
    """The blocks of a kind, a block resumed past a page break joined to the one it continues."""
    joined: list[str] = []
    blocks = plain_blocks("doc", text)
    for before, block in zip([None, *blocks], blocks, strict=False):
        gap = text[before.end : block.start] if before else ""
        if block.kind != kind:
            continue
        if before is not None and before.kind == kind and re.search(r"\n\n- \d+ -\n\n", gap):
            joined[-1] += " " + text[block.start : block.end]
        else:
            joined.append(text[block.start : block.end])
    return [_words(block) for block in joined]


@pytest.mark.parametrize("spaced", [True, False])
def test_hard_wrapped_paragraphs_are_read_whole_across_lines_and_pages(spaced: bool) -> None:
    text = _manual(spaced)
    assert _rejoined(text, "paragraph") == [p for section in SECTIONS.values() for p in section]
    assert not any(re.search(r"- \d+ -", block) for _, block, _ in _blocks(text))  # page numbers in no block
    assert all("\n" in block for _, block, _ in _blocks(text) if len(block) > 70)


def test_wrapped_list_items_keep_their_continuation_lines() -> None:
    items = [(block, section) for kind, block, section in _blocks(_manual()) if kind == "item"]
    assert _rejoined(_manual(), "item") == ITEMS
    assert {section for _, section in items} == {("Installing the controller",)}


def test_section_titles_stay_titles_in_wrapped_text() -> None:
    blocks = _blocks(_manual())
    sections = [section for _, _, section in blocks]
    assert sections[0] == ("Installing the controller",) and sections[-1] == ("Connecting the network",)
    assert not any(block in SECTIONS for _, block, _ in blocks)


def test_a_running_header_holding_the_page_number_makes_no_block_and_no_title() -> None:
    text = _manual(numbered_header=True)
    blocks = _blocks(text)
    assert not any(HEADER in block for _, block, _ in blocks)
    assert {section for _, _, section in blocks} == {(title,) for title in SECTIONS}
    read = " ".join(block for kind, block, _ in blocks if kind in ("paragraph", "item"))
    installing, connecting = SECTIONS.values()
    assert " ".join(read.split()) == " ".join(" ".join([*installing, *ITEMS, *connecting]).split())


def test_numbered_lines_a_few_apart_are_no_running_header() -> None:
    text = "Step 1\n\nOpen the door.\n\nStep 2\n\nLoad the baskets.\n\nStep 3\n\nPress Start.\n"
    assert [(block, section) for _, block, section in _blocks(text)] == [
        ("Open the door.", ("Step 1",)), ("Load the baskets.", ("Step 2",)), ("Press Start.", ("Step 3",))]


def test_page_numbers_and_running_headers_make_no_block() -> None:
    blocks = _blocks(_manual())
    assert not any(is_page_number(block) or block == HEADER for _, block, _ in blocks)
    assert sum(len(block.split()) <= 3 for _, block, _ in blocks) == 0


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_wrapped_blocks_and_sentences_are_whole_and_verbatim(newline: str) -> None:
    text = _manual().replace("\n", newline)
    assert len(plain_blocks("doc", text)) == len(plain_blocks("doc", _manual()))
    blocks = plain_blocks("doc", text)
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        sentences = split_sentences("doc", text, block.start, block.end)
        assert all(text[s.start : s.end] == s.text for s in sentences)
        at_page_break = following is not None and "- " in text[block.end : following.start]
        whole = sentences[:-1] if at_page_break else sentences  # the last goes on after the page break
        assert all(s.text.rstrip(")").endswith((".", ":")) for s in whole), sentences


@pytest.mark.parametrize(
    "line", ["- 88 -", "88", "Page 88", "88 of 120", "Page 3 of 10", "— 7 —", "[12]", "iv"]
)
def test_page_number_lines_are_recognised(line: str) -> None:
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["IV", "1998", "Chapter 3", "12 monkeys", "Figure 4", "88."])
def test_other_short_lines_are_not_page_numbers(line: str) -> None:
    assert not is_page_number(line)


def test_sentence_across_a_page_number_goes_on_in_the_next_block_without_it() -> None:
    text = "The valve closes when the\npressure drops below\n\n88\n\nthe set point. It opens again later.\n"
    assert _blocks(text) == [("paragraph", "The valve closes when the\npressure drops below", ()),
                             ("paragraph", "the set point. It opens again later.", ())]  # fmt: skip


def test_form_feed_page_break_is_a_page_break_like_a_page_number() -> None:
    text = "The valve closes when the pressure drops below\n\n- 3 -\n\fthe set point.\n"
    assert [block for _, block, _ in _blocks(text)] == ["The valve closes when the pressure drops below",
                                                        "the set point."]  # fmt: skip


def test_short_line_between_blank_lines_is_a_title() -> None:
    text = "Genome editing\n\nCRISPR changed gene editing.\n\nBase editors\n\nThey change one letter.\n"
    assert _blocks(text) == [
        ("paragraph", "CRISPR changed gene editing.", ("Genome editing",)),
        ("paragraph", "They change one letter.", ("Base editors",)),
    ]


def test_short_line_followed_by_its_paragraph_is_a_title() -> None:
    text = "Genome editing\nCRISPR changed gene editing.\nBase editors change one letter.\n"
    assert [section for _, _, section in _blocks(text)] == [("Genome editing",)] * 2


def test_line_continued_in_lowercase_joins_in_unwrapped_text() -> None:
    text = "To enable the remote\nmonitoring function, you must:\nConnect the cable,\nthen restart it.\n"
    assert [block for _, block, _ in _blocks(text)] == [
        "To enable the remote\nmonitoring function, you must:",
        "Connect the cable,\nthen restart it.",
    ]


def test_hyphenated_line_end_stays_as_written() -> None:
    text = "Patients need treat-\nment for years. It is costly.\n"
    (block,) = plain_blocks("doc", text)
    sentences = split_sentences("doc", text, block.start, block.end)
    assert [s.text for s in sentences] == ["Patients need treat-\nment for years.", "It is costly."]


def test_indented_first_lines_start_paragraphs_in_wrapped_text() -> None:
    paragraphs = [p for section in SECTIONS.values() for p in section if len(p) > 100]
    text = "\n".join(textwrap.fill(p, 70, initial_indent="    ") for p in paragraphs) + "\n"
    assert [_words(block) for _, block, _ in _blocks(text)] == paragraphs


def test_one_sentence_per_line_is_not_taken_for_wrapped_text() -> None:
    paragraphs = [p for section in SECTIONS.values() for p in section]
    lines = [line.rstrip(",;:.") for p in paragraphs for line in textwrap.wrap(p, 70)]
    sentences = [line[0].upper() + line[1:] + "." for line in lines]
    text = "\n".join(sentences) + "\n"  # lines of much the same length, but each a sentence of its own
    assert [block for _, block, _ in _blocks(text)] == sentences


def test_sentence_end_recurring_at_page_breaks_is_kept() -> None:
    page = "Only a qualified specialist can tell what applies to patient {}, and what\nthey can\nprovide.\n\n- {} -\n\n"
    text = "".join(page.format(n, n) for n in range(1, 4))
    assert [block for _, block, _ in _blocks(text)] == [
        page.format(n, n).split("\n\n")[0] for n in range(1, 4)
    ]


def test_heading_straight_above_its_wrapped_paragraph_stays_a_title() -> None:
    titles = ["Installing the controller in its cabinet on a rail", "Connecting the network"]
    text = "".join(
        f"{title}\n{textwrap.fill(' '.join(paragraphs), 70)}\n"
        for title, paragraphs in zip(titles, SECTIONS.values())
    )
    assert [section for _, _, section in _blocks(text)] == [(titles[0],), (titles[1],)]


SPECS = """Technical data

Capacity                           13 place settings
Dimensions (W x D x H)             598 x 550 x 815 mm
Energy consumption per 100 cycles  85 kWh
Noise level                        44 dB(A) re 1 pW

Programme   Temp.    Time
Eco         50°C     3:45
Intensive   70°C     2:45

Load the baskets.  Close the door and
press Start.  The programme starts at
once.  The display shows the time left.
"""


def test_a_table_laid_out_with_spaces_is_read_as_rows_with_their_cells() -> None:
    from ingest.plain import row_context

    blocks = plain_blocks("manual.txt", SPECS)
    rows = [(SPECS[b.start : b.end], b.header) for b in blocks if b.kind == "row"]
    assert [row for row, _ in rows] == [line for line in SPECS.splitlines() if line[:3] in ("Cap", "Dim", "Ene",
                                                                                          "Noi", "Eco", "Int")]  # fmt: skip
    assert rows[2][1] is None and row_context(None, rows[2][0]) == "Energy consumption per 100 cycles ; 85 kWh"
    assert row_context(rows[4][1], rows[4][0]) == "Programme: Eco; Temp.: 50°C; Time: 3:45"  # its header names them
    assert {b.section for b in blocks} == {("Technical data",)}
    prose = [SPECS[b.start : b.end] for b in blocks if b.kind == "paragraph"]
    assert prose == [SPECS[SPECS.index("Load") :].strip()]  # two spaces after a sentence make no table


# A troubleshooting table as a PDF's text export lays it out: cells wrapped over lines, a rule under the header, a
# page break (its number and running header) in the middle.
TROUBLESHOOTING = """Troubleshooting

  Problem                 Possible cause             Solution
  ----------------------  -------------------------  ---------------------------
  Robot does not turn     Battery is empty; power    Set the power switch to ON
  on                      switch is off              and place the robot on the
                                                     dock to charge
  Robot gets stuck        Low furniture or cables    Remove obstacles

                                  Page 7

RoboClean X3 User Manual

  Cannot connect to       5 GHz network; wrong       Use a 2.4 GHz network;
  Wi-Fi                   password                   check the password
  Unusual loud noise      Object caught in brush     Remove the object

Warranty

The robot is covered for 2 years.

                                  Page 8

RoboClean X3 User Manual

Keep this manual.
"""


def test_a_table_laid_out_with_spaces_reads_cells_wrapped_over_lines_as_one_row() -> None:
    from ingest.plain import row_context

    text = TROUBLESHOOTING
    blocks = plain_blocks("manual.txt", text)
    rows = [b for b in blocks if b.kind == "row"]
    line_start = [text.rfind("\n", 0, b.start) + 1 for b in rows]
    cells = [row_context(b.header, text[s : b.end]) for b, s in zip(rows, line_start, strict=True)]
    assert cells == [
        "Problem: Robot does not turn on; Possible cause: Battery is empty; power switch is off; Solution: Set the "
        + "power switch to ON and place the robot on the dock to charge",
        "Problem: Robot gets stuck; Possible cause: Low furniture or cables; Solution: Remove obstacles",
        "Problem: Cannot connect to Wi-Fi; Possible cause: 5 GHz network; wrong password; Solution: Use a 2.4 GHz "
        + "network; check the password",
        "Problem: Unusual loud noise; Possible cause: Object caught in brush; Solution: Remove the object",
    ]
    assert text[rows[0].start : rows[0].end].endswith("dock to charge")  # the row's span: all its lines
    assert [b.section for b in blocks] == [("Troubleshooting",)] * 4 + [("Warranty",)] * 2
    assert not any("Page 7" in text[b.start : b.end] or "RoboClean" in text[b.start : b.end] for b in blocks)
    # a table with no header: its first row holds no label of a column ("Short press: ..."), though a row below holds
    # a digit where it holds none
    parts = ("Top view\n\n  A  Power button    Short press: start cleaning\n                    Long press: turn off\n"
             "  B  Home button     Short press: return to the dock\n  C  Status ring     See section 3.3\n")
    rows = [b for b in plain_blocks("manual.txt", parts) if b.kind == "row"]
    assert [(parts[b.start : b.end].split()[0], b.header) for b in rows] == [("A", None), ("B", None), ("C", None)]


def test_a_row_laid_out_with_spaces_runs_over_a_few_lines_at_most() -> None:
    # Two columns of prose kept side by side by a text export read as a table: no row swallows the page.
    left = ["This is the first column of a paper", "set in two columns by a text export", "that keeps the layout of",
            "each page with its spaces", "between the two columns", "and every line of it", "goes on in lowercase",
            "so that nothing ends", "until the paragraph does."]  # fmt: skip
    right = ["The second column holds", "other text of its own", "which also goes on", "in lowercase words",
             "from line to line", "as any column does", "on a printed page", "of a research paper", "like this one."]
    text = "\n".join(f"{a:<42}{b}" for a, b in zip(left, right, strict=True)) + "\n"
    rows = [text[b.start : b.end] for b in plain_blocks("paper.txt", text) if b.kind == "row"]
    assert rows and max(row.count("\n") + 1 for row in rows) <= 5
    assert "".join(rows).replace("\n", "") == text.replace("\n", "").strip()  # every line in one row or another


# A Markdown table as a text export writes it: a blank line between its rows, long rows broken by the wrap width
# (one break mid-cell, one just after a pipe).
WRAPPED_TABLE = """Delivery

The vehicles used for this are called vectors.

| Method | How it works | Used for |

|---|---|---|

| Lipid nanoparticles | Fatty particles encapsulate and deliver genetic
material | mRNA-based therapies |

| Ex vivo editing | Cells removed, edited externally, then returned |
Blood disorders |

| Electroporation | Electrical pulses | Research |

The choice of delivery method shapes a therapy's safety.
"""


def test_a_wrapped_and_spaced_out_table_is_read_as_whole_rows_under_their_header() -> None:
    from ingest.plain import row_context

    blocks = plain_blocks("doc.txt", WRAPPED_TABLE)
    rows = [b for b in blocks if b.kind == "row"]
    cells = [row_context(b.header, WRAPPED_TABLE[b.start : b.end]).replace("\n", " ") for b in rows]
    assert cells == [
        "Method: Lipid nanoparticles; How it works: Fatty particles encapsulate and deliver genetic material; Used "
        + "for: mRNA-based therapies",
        "Method: Ex vivo editing; How it works: Cells removed, edited externally, then returned; Used for: Blood "
        + "disorders",
        "Method: Electroporation; How it works: Electrical pulses; Used for: Research",
    ]
    assert {b.section for b in blocks} == {("Delivery",)}  # no row's broken end taken for a title
    prose = [WRAPPED_TABLE[b.start : b.end] for b in blocks if b.kind == "paragraph"]
    assert prose == ["The vehicles used for this are called vectors.",
                     "The choice of delivery method shapes a therapy's safety."]  # fmt: skip


NUMBERED = """1. Safety instructions

Read these instructions before using the appliance.

2. Installation

Remove the transit bolts before use. To level the machine:
1. Loosen the lock nut.
2. Turn the foot until the machine is level.

Ingredients

1. Flour

2. Sugar
"""


def test_a_numbered_line_standing_alone_over_a_paragraph_is_a_title_not_a_list_item() -> None:
    blocks = [(kind, section[0] if section else None, text) for kind, text, section in _blocks(NUMBERED)]
    assert blocks == [
        ("paragraph", "1. Safety instructions", "Read these instructions before using the appliance."),
        ("paragraph", "2. Installation", "Remove the transit bolts before use. To level the machine:"),
        ("item", "2. Installation", "Loosen the lock nut."),
        ("item", "2. Installation", "Turn the foot until the machine is level."),
        ("item", "Ingredients", "Flour"),  # a list spaced out: each is followed by another item
        ("item", "Ingredients", "Sugar"),
    ]
