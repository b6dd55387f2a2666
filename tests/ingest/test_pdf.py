"""PDFs as people make them: two columns, hyphenation, running headers and footers, headings, tables, bad files."""

import textwrap
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ingest.load import load_file
from ingest.pdf import join_hyphenated, join_split, read_pdf
from ingest.split import passages
from ingest.units import Limits, Loaded, Unreadable

WIDTH, HEIGHT = A4
PROSE = (
    "Gene therapy treats disease by changing genetic material inside a patient's cells. The regional cities of "
    "Ballarat and Bendigo grew quickly after gold was found in the surrounding hills. Long-term follow-up is needed "
    "for every patient who receives a treatment of this kind, because its effects may last for years. "
)


def _header_footer(pdf: canvas.Canvas, page: int, pages: int) -> None:
    pdf.setFont("Helvetica", 8)
    pdf.drawString(72, HEIGHT - 40, "Encyclopedia extract - Gene therapy")
    pdf.drawCentredString(WIDTH / 2, 30, f"Page {page} of {pages}")


def two_columns(path: Path, pages: int = 3) -> list[str]:
    """A two-column article with a title, a running header and footer; returns the lines drawn, in order."""
    lines = textwrap.wrap(PROSE * 8 * pages, 46)
    per_column, drawn = 30, []
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in range(pages):
        _header_footer(pdf, page + 1, pages)
        top = HEIGHT - 90
        if page == 0:
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(72, top, "Gene therapy")
            top -= 30
        pdf.setFont("Helvetica", 10)
        for column, x in enumerate((72, 320)):
            start = (2 * page + column) * per_column
            for row, line in enumerate(lines[start : start + per_column]):
                pdf.drawString(x, top - 13 * row, line)
                drawn.append(line)
        pdf.showPage()
    pdf.save()
    return drawn


def read(path: Path) -> Loaded:
    return read_pdf(path, path.name, Limits())


def assert_verbatim(loaded: Loaded) -> None:
    text = loaded.document.text
    for passage in passages(loaded.document, loaded.blocks):
        assert text[passage.start : passage.end] == passage.text
        for sentence in passage.sentences:
            assert text[sentence.start : sentence.end] == sentence.text
    for box in loaded.document.layout:
        assert 0 <= box.start <= box.end <= len(text)


def test_two_columns_read_in_order_with_sentences_across_lines_columns_and_pages(tmp_path: Path) -> None:
    drawn = two_columns(tmp_path / "article.pdf")
    loaded = read(tmp_path / "article.pdf")
    assert_verbatim(loaded)
    text = loaded.document.text
    assert " ".join(text.split()).startswith("Gene therapy Gene therapy treats disease")
    flat = " ".join(text.split())
    # every line, columns in turn, joined into running text ("Long-" "term" keeps its hyphen, with no space)
    assert " ".join(drawn).replace("- ", "-") in flat
    sentences = [s.text for p in passages(loaded.document, loaded.blocks) for s in p.sentences]
    assert (
        "The regional cities of Ballarat and Bendigo grew quickly after gold was found in the surrounding hills."
        in (sentences)
    )
    assert loaded.document.pages == 3


def test_running_header_footer_and_page_numbers_are_left_out(tmp_path: Path) -> None:
    two_columns(tmp_path / "article.pdf")
    text = read(tmp_path / "article.pdf").document.text
    assert "Encyclopedia extract" not in text and "Page 1 of 3" not in text and "of 3" not in text


def test_a_short_page_in_two_columns_under_lines_across_them_is_read_column_by_column(tmp_path: Path) -> None:
    # A browser's print of a web page: the last page holds a few lines per column, under a centred running title and
    # over a copyright line, both crossing the gutter; its lines side by side are no table rows.
    lines = textwrap.wrap(PROSE * 2, 46)[:12]
    pdf = canvas.Canvas(str(tmp_path / "short.pdf"), pagesize=A4)
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(WIDTH / 2, HEIGHT - 40, "Get a Library Card | Riverbend Public Library")
    pdf.setFont("Helvetica", 10)
    for column, x in enumerate((72, 320)):
        for row, line in enumerate(lines[6 * column : 6 * column + 6]):
            pdf.drawString(x, HEIGHT - 90 - 13 * row, line)
    pdf.drawCentredString(WIDTH / 2, HEIGHT - 190, "Copyright 2024 Riverbend Public Library. All rights reserved.")
    pdf.save()
    loaded = read(tmp_path / "short.pdf")
    assert_verbatim(loaded)
    assert " ".join(lines).replace("- ", "-") in " ".join(loaded.document.text.split())
    assert not any(block.kind == "row" for block in loaded.blocks)


def test_a_banner_printed_low_on_every_page_is_left_out_and_makes_no_table(tmp_path: Path) -> None:
    # a web page's cookie banner, fixed at the foot of the window, printed over the body's lines on every page
    lines = textwrap.wrap(PROSE * 5, 40)
    pdf = canvas.Canvas(str(tmp_path / "printed.pdf"), pagesize=A4)
    for page in range(4):
        pdf.setFont("Helvetica", 10)
        for row, line in enumerate(lines[16 * page : 16 * page + 16]):
            pdf.drawString(330, HEIGHT - 480 - 14 * row, line)
        banner = "We use cookies to improve your experience." + (" Accept all cookies" if page == 0 else "")
        pdf.setFont("Helvetica", 8)
        pdf.drawString(40, HEIGHT - 480 - 14 * 12 - 3, banner)  # its button printed on the first page only
        pdf.showPage()
    pdf.save()
    loaded = read(tmp_path / "printed.pdf")
    assert_verbatim(loaded)
    assert "cookies" not in loaded.document.text
    assert not any(block.kind == "row" for block in loaded.blocks)
    assert " ".join(lines[:64]).replace("- ", "-") in " ".join(loaded.document.text.split())


def test_a_table_whose_cells_hold_long_text_is_no_page_of_columns(tmp_path: Path) -> None:
    # a manual's troubleshooting table: its last column's gap is crossed by no line, as a gutter is, yet its lines
    # stand on the rows' baselines
    rows = [("Problem", "Possible cause", "What to do")] + [
        (f"Fault {n}", f"The door of unit {n} is not closed properly", f"Close the door of unit {n} until it clicks")
        for n in range(1, 7)
    ]  # fmt: skip
    pdf = canvas.Canvas(str(tmp_path / "manual.pdf"), pagesize=A4)
    pdf.setFont("Helvetica", 9)
    for n, line in enumerate(textwrap.wrap(PROSE, 100)):
        pdf.drawString(50, 780 - 12 * n, line)
    for i, cells in enumerate(rows):
        for x, cell in zip((50, 120, 330), cells, strict=True):
            pdf.drawString(x, 720 - 18 * i, cell)
    pdf.save()
    loaded = read(tmp_path / "manual.pdf")
    units = passages(loaded.document, loaded.blocks)
    row = next(p for p in units if p.kind == "row" and "Fault 3" in p.text)
    assert row.text == "| Fault 3 | The door of unit 3 is not closed properly | Close the door of unit 3 until it clicks |"
    assert row.header == "| Problem | Possible cause | What to do |"


def test_a_navigation_column_beside_the_article_is_no_table(tmp_path: Path) -> None:
    # a web page printed by a browser: the site's links down the left, the article beside them, no gutter found
    links = ["Main page", "Browse topics", "Random article", "Featured content", "Recent changes", "Help desk",
             "About the project", "Contact us", "Donate", "Log in"]  # fmt: skip
    lines = textwrap.wrap(PROSE * 2, 45)[:14]
    pdf = canvas.Canvas(str(tmp_path / "page.pdf"), pagesize=A4)
    for row, link in enumerate(links):
        pdf.drawString(40, 760 - 14 * row, link)
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(250, 760, "Gene therapy")  # the article's title, beside the first link
    pdf.setFont("Helvetica", 12)
    for row, line in enumerate(lines):
        pdf.drawString(250, 732 - 14 * row, line)
    pdf.save()
    loaded = read(tmp_path / "page.pdf")
    assert_verbatim(loaded)
    assert not any(block.kind == "row" for block in loaded.blocks)
    sentences = [s.text for p in passages(loaded.document, loaded.blocks) for s in p.sentences]
    assert "Long-term follow-up is needed for every patient who receives a treatment of this kind, because its effects " \
        "may last for years." in sentences
    # the title heads the article, as on a page without links beside it ("Gene therapy Gene therapy ..." before)
    article = [b for b in loaded.blocks if "Long-term" in loaded.document.text[b.start : b.end]]
    assert article and article[0].section == ("Gene therapy",)
    assert not any(" ".join(loaded.document.text[b.start : b.end].split()).startswith("Gene therapy Gene therapy")
                   for b in loaded.blocks)  # fmt: skip


def test_superscript_reference_numbers_break_no_line(tmp_path: Path) -> None:
    # a paper's reference marks: pdfium makes up a line break where the text comes back from a superscript
    text = ("Gene therapy has moved from science fiction to clinical reality<super>1,2</super> in less than a "
            "generation. Several therapies<super>3</super> have been approved in major markets, representing genuine "
            "milestones after decades of setbacks.<super>4-6</super> Durability is an open question for many "
            "therapies<super>7</super>, and immune responses remain a complication.<super>8</super> ") * 3  # fmt: skip
    SimpleDocTemplate(str(tmp_path / "paper.pdf"), pagesize=A4).build([Paragraph(text, getSampleStyleSheet()["BodyText"])])
    loaded = read(tmp_path / "paper.pdf")
    assert_verbatim(loaded)
    assert [block.kind for block in loaded.blocks] == ["paragraph"]
    flat = " ".join(loaded.document.text.split())
    assert flat.startswith("Gene therapy has moved from science fiction to clinical reality1,2 in less than a "
                           "generation. Several therapies3 have been approved in major markets")
    assert "complication.8 Gene therapy has moved" in flat


def test_a_paragraph_ending_in_reference_numbers_or_set_apart_by_space_ends_there(tmp_path: Path) -> None:
    # each paragraph's last line runs to the margin and ends with superscript references after its full stop; the
    # style sets 6 points between paragraphs (their lines stand 2 apart)
    ending = ("Alanine aminotransferase rose above three times the upper limit in 2.1% of patients on veratoglin and "
              "0.4% of those on placebo.<super>13,14</super>")  # fmt: skip
    paragraphs = [f"Paragraph {n}. Hepatic enzymes were monitored at every visit.<super>12</super> {ending}"
                  for n in range(4)]  # fmt: skip
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(str(tmp_path / "paper.pdf"), pagesize=A4).build([Paragraph(p, style) for p in paragraphs])
    loaded = read(tmp_path / "paper.pdf")
    assert_verbatim(loaded)
    texts = [" ".join(loaded.document.text[b.start : b.end].split()) for b in loaded.blocks]
    assert [t.split(".")[0] for t in texts] == ["Paragraph 0", "Paragraph 1", "Paragraph 2", "Paragraph 3"]
    assert all(t.endswith("placebo.13,14") for t in texts)


def test_paragraphs_set_apart_by_space_are_two_though_the_first_runs_to_the_margin(tmp_path: Path) -> None:
    lines = textwrap.wrap(PROSE, 60)[:6]
    lines = [line.ljust(60, "x")[:59] + "." if n == 2 else line.ljust(60, "x") for n, line in enumerate(lines)]
    pdf = canvas.Canvas(str(tmp_path / "spaced.pdf"), pagesize=A4)
    pdf.setFont("Courier", 10)  # every line as wide: the first paragraph's last one runs to the margin
    for n, line in enumerate(lines):
        pdf.drawString(72, 780 - 12 * n - (6 if n >= 3 else 0), line)  # 6 points more before the second
    pdf.save()
    loaded = read(tmp_path / "spaced.pdf")
    texts = [" ".join(loaded.document.text[b.start : b.end].split()) for b in loaded.blocks]
    assert texts == [" ".join(lines[:3]), " ".join(lines[3:])]


def test_a_paragraph_goes_on_over_a_page_whose_column_a_stray_line_starts_further_left(tmp_path: Path) -> None:
    # a web page printed: its text in a column right of the page's middle, a cookie notice under it on the last page
    lines = textwrap.wrap(PROSE, 34, break_on_hyphens=False)[:6]
    pdf = canvas.Canvas(str(tmp_path / "printed.pdf"), pagesize=A4)
    for n, line in enumerate(lines[:3]):  # the third ends mid-sentence
        pdf.drawString(300, 120 - 14 * n, line)
    pdf.showPage()
    for n, line in enumerate(lines[3:]):
        pdf.drawString(300, 780 - 14 * n, line)
    pdf.drawString(48, 100, "We use cookies to improve your experience.")
    pdf.save()
    loaded = read(tmp_path / "printed.pdf")
    texts = [" ".join(loaded.document.text[b.start : b.end].split()) for b in loaded.blocks]
    assert texts[0] == " ".join(lines)


def test_title_in_larger_type_becomes_the_section_trail(tmp_path: Path) -> None:
    two_columns(tmp_path / "article.pdf")
    loaded = read(tmp_path / "article.pdf")
    assert all(block.section == ("Gene therapy",) for block in loaded.blocks)


def test_a_tagline_in_smaller_type_under_the_title_heads_nothing(tmp_path: Path) -> None:
    # "From Wikipedia, the free encyclopedia" as a heading stood in every sentence's vector, and its names answered
    # "Which companies ...?"
    pdf = canvas.Canvas(str(tmp_path / "article.pdf"), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawString(72, 760, "Gene therapy")
    pdf.setFont("Helvetica-Oblique", 9)
    pdf.drawString(72, 740, "From Example Encyclopedia, the free reference work")
    text = pdf.beginText(72, 710)
    text.setFont("Helvetica", 10)
    text.textLine("Gene therapy modifies genetic material inside a person's cells.")
    text.textLine("The vehicles used for delivery are called vectors.")
    pdf.drawText(text)
    pdf.save()
    loaded = read(tmp_path / "article.pdf")
    assert {b.section for b in loaded.blocks} == {("Gene therapy",)}
    assert "From Example Encyclopedia, the free reference work" in loaded.document.text  # read, as text


def test_a_papers_title_is_one_heading_and_a_paragraph_opening_with_a_bold_label_is_none(tmp_path: Path) -> None:
    pdf = canvas.Canvas(str(tmp_path / "paper.pdf"), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawString(72, 760, "Efficacy and Safety of a")
    pdf.drawString(72, 732, "Norovirus")  # a justified title's words, spaced so far apart they stand like cells
    pdf.drawString(300, 732, "Vaccine")
    pdf.drawString(72, 704, "in Older Adults")
    text = pdf.beginText(72, 660)
    lines = [
        ("Background:", "Norovirus is the leading cause of acute"),
        ("", "gastroenteritis in older adults, who bear a heavy burden of severe disease."),
        ("Methods:", "In this trial, adults aged 60 years or older were"),
        ("", "randomly assigned to one dose of vaccine or placebo in a ratio of 1:1."),
    ]
    for label, rest in lines:
        text.setFont("Helvetica-Bold", 10)
        text.textOut(f"{label} " if label else "")
        text.setFont("Helvetica", 10)
        text.textLine(rest)
    pdf.drawText(text)
    pdf.save()
    loaded = read(tmp_path / "paper.pdf")
    title = "Efficacy and Safety of a Norovirus Vaccine in Older Adults"
    assert [(b.kind, b.section) for b in loaded.blocks] == [("paragraph", (title,))]
    flat = " ".join(loaded.document.text.split())
    assert "Background: Norovirus is the leading cause of acute gastroenteritis in older adults" in flat


def test_numbered_headings_in_body_type_head_their_sections(tmp_path: Path) -> None:
    # a paper laid out in two narrow columns: its numbered headings are body text, as long as a line of it may be
    pdf = canvas.Canvas(str(tmp_path / "paper.pdf"), pagesize=A4)
    text = pdf.beginText(72, 760)
    text.setFont("Helvetica", 10)
    lines = [
        "2.1. Trial Design and Oversight",
        "This phase 3 trial was conducted at 118 sites in seven",
        "countries between 2021 and 2022.",
        "2.2. Participants",
        "Eligible participants were adults aged 60 years",
        "or older who lived in the community.",
        "3. Results",
        "3.1. Enrolment",
        "Of 12,604 people screened, 11,842 were randomized.",
    ]
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.save()
    loaded = read(tmp_path / "paper.pdf")
    heads = [(b.section[-1] if b.section else "", loaded.document.text[b.start : b.end].split()[0])
             for b in loaded.blocks]  # fmt: skip
    assert ("2.1. Trial Design and Oversight", "This") in heads and ("2.2. Participants", "Eligible") in heads
    assert ("3.1. Enrolment", "Of") in heads
    assert all(not loaded.document.text[b.start : b.end].startswith(("2.", "3.")) for b in loaded.blocks)


def test_a_passage_knows_the_page_it_starts_on(tmp_path: Path) -> None:
    two_columns(tmp_path / "article.pdf")
    loaded = read(tmp_path / "article.pdf")
    units = passages(loaded.document, loaded.blocks)
    assert units[0].page == 1 and units[-1].page == 3
    assert [p.page for p in units] == sorted(p.page for p in units)


def test_hyphen_of_a_line_break_is_removed_and_a_real_one_kept(tmp_path: Path) -> None:
    pdf = canvas.Canvas(str(tmp_path / "hyphens.pdf"), pagesize=A4)
    for row, line in enumerate(["The patients in the study received a treat-", "ment that lasted for a long-",
                                "term period, in the re-", "gional hospitals of the state."]):  # fmt: skip
        pdf.drawString(72, 700 - 14 * row, line)
    pdf.save()
    text = read(tmp_path / "hyphens.pdf").document.text
    assert text == ("The patients in the study received a treatment that lasted for a long-term period, in the "
                    "regional hospitals of the state.")  # fmt: skip
    assert join_hyphenated("treat-", "ment") and not join_hyphenated("long-", "term")
    assert not join_hyphenated("Anglo-", "Saxon") and not join_hyphenated("adeno-", "associated")
    assert join_hyphenated("re-", "programmed") and join_hyphenated("non-", "invasive")  # a prefix and a word
    assert not join_hyphenated("X-", "ray") and not join_hyphenated("self-", "limiting")


def test_table_rows_stay_whole_with_their_header(tmp_path: Path) -> None:
    pdf = canvas.Canvas(str(tmp_path / "table.pdf"), pagesize=A4)
    pdf.drawString(72, 760, "Vectors used in gene therapy differ in how much genetic material they carry.")
    rows = [("Vector", "Capacity", "Integrates"), ("AAV", "4.7 kb", "Rarely"), ("Lentivirus", "8 kb", "Yes")]
    for i, cells in enumerate(rows):
        for x, cell in zip((72, 220, 380), cells, strict=True):
            pdf.drawString(x, 720 - 16 * i, cell)
    pdf.drawString(72, 640, "Each vector suits other diseases and tissues.")
    pdf.save()
    loaded = read(tmp_path / "table.pdf")
    assert_verbatim(loaded)
    units = passages(loaded.document, loaded.blocks)
    row = next(p for p in units if p.kind == "row" and "AAV" in p.text)
    assert row.text == "| AAV | 4.7 kb | Rarely |" and row.header == "| Vector | Capacity | Integrates |"
    assert "Capacity: 4.7 kb" in row.context
    assert any(p.text.startswith("Each vector suits") for p in units)


def _table(path: Path, rows: list[list[list[str]]], padding: float, centred: bool) -> None:
    """A table whose cells wrap onto lines 12 points apart, as the paragraph's over it, cells centred in their row (as
    a browser prints an HTML table) or set at its top (as a word processor does), rows `padding` points apart; a
    paragraph under it."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n, line in enumerate(textwrap.wrap(PROSE, 80)):
        pdf.drawString(72, 780 - 12 * n, line)
    top = 720.0
    for cells in rows:
        tallest = max(map(len, cells))
        for x, cell in zip((72, 220, 380), cells, strict=True):
            offset = 6 * (tallest - len(cell)) if centred else 0
            for n, line in enumerate(cell):
                pdf.drawString(x, top - offset - 12 * n, line)
        top -= 12 * tallest + padding
    pdf.drawString(72, top - 20, "Each delivery method suits other diseases and tissues.")
    pdf.save()


TABLE = [
    [["Delivery Method"], ["How It Works"], ["Common Use Cases"]],
    [["Viral vectors (AAV,", "lentivirus, adenovirus)"], ["Modified viruses carry", "genetic material into cells"],
     ["Most approved therapies", "today"]],
    [["Electroporation"], ["Electrical pulses open", "cell membranes for", "delivery"], ["Research and some", "cell therapies"]],
    [["Lipid nanoparticles"], ["Fatty particles", "encapsulate and deliver"], ["mRNA-based therapies"]],
]  # fmt: skip


@pytest.mark.parametrize(("padding", "centred"), [(5.0, True), (0.0, False)], ids=["centred-padded", "top-touching"])
def test_a_table_row_whose_cells_wrap_is_one_row_with_each_cell_whole(tmp_path: Path, padding: float,
                                                                      centred: bool) -> None:  # fmt: skip
    _table(tmp_path / "table.pdf", TABLE, padding, centred)
    loaded = read(tmp_path / "table.pdf")
    assert_verbatim(loaded)
    units = passages(loaded.document, loaded.blocks)
    assert [p.text for p in units if p.kind == "row"] == [
        ("| Viral vectors (AAV, lentivirus, adenovirus) | Modified viruses carry genetic material into cells | Most "
         "approved therapies today |"),
        "| Electroporation | Electrical pulses open cell membranes for delivery | Research and some cell therapies |",
        "| Lipid nanoparticles | Fatty particles encapsulate and deliver | mRNA-based therapies |",
    ]
    assert all(p.header == "| Delivery Method | How It Works | Common Use Cases |" for p in units if p.kind == "row")
    # no cell is taken for a heading: the paragraph under the table stands under none
    after = next(p for p in units if p.text.startswith("Each delivery method"))
    assert after.section == ()


def test_each_line_knows_its_page_and_box(tmp_path: Path) -> None:
    two_columns(tmp_path / "article.pdf")
    document = read(tmp_path / "article.pdf").document
    pages = {box.page for box in document.layout}
    assert pages == {1, 2, 3}
    right = [box for box in document.layout if box.x0 > 300]
    assert right and all(box.x1 <= WIDTH and 0 < box.top < box.bottom < HEIGHT for box in right)


def _blank(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(72, 400, 300, 300, fill=1)  # a picture and no text: what a scan looks like to a reader
    pdf.showPage()
    pdf.save()


def _encrypted(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt="secret")
    pdf.drawString(72, 700, "Confidential text.")
    pdf.save()


@pytest.mark.parametrize(
    ("make", "limits", "reason"),
    [
        (lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage"), Limits(), "damaged"),
        (lambda p: p.write_bytes(b""), Limits(), "empty"),
        (_encrypted, Limits(), "encrypted"),
        (_blank, Limits(), "no text layer"),
        (lambda p: two_columns(p, 1), Limits(max_bytes=500), "larger than the limit"),
        (lambda p: two_columns(p, 2), Limits(max_seconds=1e-9), "took longer than"),
    ],
    ids=["damaged", "empty", "encrypted", "image-only", "too-large", "too-slow"],
)
def test_bad_pdf_is_skipped_with_a_note_naming_it(tmp_path: Path, make, limits: Limits, reason: str) -> None:
    path = tmp_path / "bad.pdf"
    make(path)
    note = load_file(path, "reports/bad.pdf", limits)
    assert isinstance(note, str) and note.startswith("reports/bad.pdf: skipped, ") and reason in note


def test_unreadable_is_raised_by_the_reader_itself(tmp_path: Path) -> None:
    _blank(tmp_path / "scan.pdf")
    with pytest.raises(Unreadable, match="OCR"):
        read(tmp_path / "scan.pdf")


def test_a_justified_line_with_wide_spaces_is_one_line_not_a_table_row(tmp_path: Path) -> None:
    pdf = canvas.Canvas(str(tmp_path / "justified.pdf"), pagesize=A4)
    line = pdf.beginText(72, 700)
    line.setWordSpace(30)  # a short last-but-one line of a justified paragraph
    line.textLine("Traditionally, Labor is strongest in")
    line.setWordSpace(0)
    line.textLine("the western suburbs of the city.")
    pdf.drawText(line)
    pdf.save()
    loaded = read(tmp_path / "justified.pdf")
    assert [b.kind for b in loaded.blocks] == ["paragraph"]
    assert loaded.document.text == "Traditionally, Labor is strongest in the western suburbs of the city."


def test_a_broken_word_is_joined_as_the_document_writes_it_elsewhere(tmp_path: Path) -> None:
    pdf = canvas.Canvas(str(tmp_path / "normans.pdf"), pagesize=A4)
    lines = ["The Normans gave their name to Normandy, a region in the north of", "France. Later the Nor-",
             "mans conquered England, and the well-", "known story was written down by monks."]  # fmt: skip
    for row, text in enumerate(lines):
        pdf.drawString(72, 700 - 14 * row, text)
    pdf.save()
    text = read(tmp_path / "normans.pdf").document.text
    assert "Later the Normans conquered England, and the well-known story" in text


def test_a_word_a_narrow_cell_broke_without_a_hyphen_is_read_whole(tmp_path: Path) -> None:
    broken = [TABLE[0], [["Electroporatio", "n"], ["Electrical pulses open", "cell m", "embranes"],
                         ["Research and", "some cell therapies"]]]  # fmt: skip
    _table(tmp_path / "table.pdf", broken, 5.0, False)
    loaded = read(tmp_path / "table.pdf")
    assert_verbatim(loaded)
    (row,) = [p.text for p in passages(loaded.document, loaded.blocks) if p.kind == "row"]
    assert row == "| Electroporation | Electrical pulses open cell membranes | Research and some cell therapies |"
    assert join_split("Electroporatio", "n") and join_split("cell m", "embranes for")
    assert not join_split("Most approved therapies", "today") and not join_split("gene", "therapy")
