"""Word and PowerPoint files, made here: what is read, what is left out, and offsets exact in every unit."""

import zipfile
from pathlib import Path

import docx
import pptx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.shared import Pt
from pptx.util import Inches

from ingest.load import load_file
from ingest.split import passages
from ingest.units import Limits, Loaded, Passage

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
# A text box as Word writes it: the shape (Choice) and an old-style copy (Fallback) not to be read twice.
TEXT_BOX = f"""<w:r {NAMESPACES}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>
<w:txbxContent><w:p><w:r><w:t>Boxed note: vectors are stored frozen.</w:t></w:r></w:p></w:txbxContent>
</wps:txbx></wps:wsp></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>
<w:t>Boxed note: vectors are stored frozen.</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>
</mc:Fallback></mc:AlternateContent></w:r>"""
TRACKED = f"""<w:p {NAMESPACES}><w:r><w:t xml:space="preserve">The dose was </w:t></w:r>
<w:del w:id="1" w:author="Ed"><w:r><w:delText>ten milligrams</w:delText></w:r></w:del>
<w:ins w:id="2" w:author="Ed"><w:r><w:t>five milligrams</w:t></w:r></w:ins><w:r><w:t> a day.</w:t></w:r>
<w:r><w:rPr><w:vanish/></w:rPr><w:t>Hidden words.</w:t></w:r></w:p>"""
LINKED = f"""<w:p {NAMESPACES}><w:r><w:t xml:space="preserve">See the </w:t></w:r><w:hyperlink w:anchor="t">
<w:r><w:t>dosing table</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> on page </w:t></w:r>
<w:r><w:fldChar w:fldCharType="begin"/></w:r>
<w:r><w:instrText xml:space="preserve"> PAGEREF t </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>
<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
<w:r><w:t>.</w:t></w:r></w:p>"""


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Confidential draft header"
    document.sections[0].footer.paragraphs[0].text = "Page footer of the report"
    document.add_heading("Gene therapy report", level=0)
    document.add_paragraph("This report covers viral vectors.")
    document.add_heading("Methods", level=1)
    document.add_heading("Sampling", level=2)
    remark = document.add_paragraph("Samples were taken weekly.")
    document.add_comment(remark.runs, text="Reviewer remark: check the schedule", author="Rev")
    document.add_paragraph("Vectors were purified first.", style="List Bullet")
    document.add_paragraph("Cells were counted next.", style="List Number")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("Vector", "Capacity"), ("AAV", "4.7 kb"), ("Lentivirus", "8 kb")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("Storage").runs[0]._r.addnext(parse_xml(TEXT_BOX))
    document.element.body.insert(len(document.element.body) - 1, parse_xml(TRACKED))
    document.element.body.insert(len(document.element.body) - 1, parse_xml(LINKED))
    document.add_heading("Results", level=1)
    document.add_paragraph("Most samples were pure.")
    document.save(path)
    return path


def make_pptx(path: Path) -> Path:
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    first.shapes.title.text = "Why vectors matter"
    body = first.placeholders[1].text_frame
    body.text = "Vectors carry genes into cells."
    body.add_paragraph().text = "AAV is the most common vector."
    first.notes_slide.notes_text_frame.text = "Speaker note: mention the approval in 2017."
    second = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    second.shapes.title.text = "Costs"
    lower = second.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(1))
    lower.text_frame.text = "A single dose can cost millions."
    upper = second.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    upper.text_frame.text = "Manufacturing is slow and costly."
    grid = second.shapes.add_table(3, 2, Inches(1), Inches(3), Inches(6), Inches(1.5)).table
    for r, cells in enumerate([("Therapy", "Price"), ("Zolgensma", "2.1 million"), ("Luxturna", "850,000")]):
        for c, text in enumerate(cells):
            grid.cell(r, c).text = text
    group = second.shapes.add_group_shape()
    group.shapes.add_textbox(
        Inches(1), Inches(6), Inches(6), Inches(1)
    ).text_frame.text = "Prices fall with scale."
    deck.save(path)
    return path


def read(path: Path) -> tuple[Loaded, list[Passage]]:
    loaded = load_file(path, path.name)
    assert isinstance(loaded, Loaded), loaded
    units = passages(loaded.document, loaded.blocks)
    text = loaded.document.text
    for unit in units:
        assert text[unit.start : unit.end] == unit.text
        assert all(text[s.start : s.end] == s.text for s in unit.sentences)
    return loaded, units


def unit(units: list[Passage], start: str) -> Passage:
    return next(p for p in units if p.text.startswith(start))


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory) -> tuple[Loaded, list[Passage]]:
    return read(make_docx(tmp_path_factory.mktemp("docx") / "report.docx"))


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Loaded, list[Passage]]:
    return read(make_pptx(tmp_path_factory.mktemp("pptx") / "talk.pptx"))


def test_docx_headings_become_the_section_trail_under_the_title(word: tuple[Loaded, list[Passage]]) -> None:
    loaded, units = word
    assert loaded.document.format == "docx"
    assert unit(units, "This report").section == ("Gene therapy report",)
    assert unit(units, "Samples were").section == ("Gene therapy report", "Methods", "Sampling")
    assert unit(units, "Most samples").section == ("Gene therapy report", "Results")
    assert not any(p.text in ("Methods", "Sampling", "Gene therapy report") for p in units)


def test_docx_list_paragraphs_are_items(word: tuple[Loaded, list[Passage]]) -> None:
    _, units = word
    assert unit(units, "Vectors were purified").kind == "item" and unit(units, "Cells were").kind == "item"
    assert unit(units, "Samples were").kind == "paragraph"


def test_docx_table_rows_stay_whole_with_their_header(word: tuple[Loaded, list[Passage]]) -> None:
    _, units = word
    rows = [p for p in units if p.kind == "row"]
    assert [p.text for p in rows] == ["| AAV | 4.7 kb |", "| Lentivirus | 8 kb |"]
    assert all(p.header == "| Vector | Capacity |" and p.section[-1] == "Sampling" for p in rows)


def test_docx_text_box_is_read_once(word: tuple[Loaded, list[Passage]]) -> None:
    loaded, _ = word
    assert loaded.document.text.count("Boxed note: vectors are stored frozen.") == 1


def test_docx_page_headers_footers_and_comments_are_not_read(
    word: tuple[Loaded, list[Passage]], tmp_path: Path
) -> None:
    with zipfile.ZipFile(make_docx(tmp_path / "report.docx")) as archive:  # they are in the file
        assert b"Reviewer remark" in archive.read("word/comments.xml")
        assert b"Confidential" in archive.read("word/header1.xml")
    text = word[0].document.text
    assert "Confidential" not in text and "Page footer" not in text and "Reviewer remark" not in text


def test_docx_deleted_change_is_not_read_and_inserted_one_is(word: tuple[Loaded, list[Passage]]) -> None:
    loaded, units = word
    assert "The dose was five milligrams a day." in [p.text for p in units]
    assert "ten milligrams" not in loaded.document.text and "Hidden words" not in loaded.document.text


def test_docx_link_text_and_field_results_are_read_but_not_field_codes(
    word: tuple[Loaded, list[Passage]],
) -> None:
    loaded, units = word
    assert "See the dosing table on page 7." in [p.text for p in units]
    assert "PAGEREF" not in loaded.document.text


def test_docx_style_based_on_a_heading_is_a_heading(tmp_path: Path) -> None:
    document = docx.Document()
    chapter = document.styles.add_style("Chapter", WD_STYLE_TYPE.PARAGRAPH)
    chapter.base_style = document.styles["Heading 1"]
    document.add_paragraph("Delivery", style="Chapter")
    document.add_paragraph("Vectors deliver genes.")
    document.add_paragraph(
        "Contents entry\t3", style=document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    )
    document.save(tmp_path / "styles.docx")
    loaded, units = read(tmp_path / "styles.docx")
    assert [(p.text, p.section) for p in units] == [("Vectors deliver genes.", ("Delivery",))]
    assert "Contents entry" not in loaded.document.text  # a table of contents repeats the headings


def test_docx_headings_set_by_hand_in_larger_type_or_bold_are_headings(tmp_path: Path) -> None:
    # no heading style: the writer made the title larger, a section heading larger too, a question bold
    document = docx.Document()
    for text, size, bold in [("Parking Permit Guide", 18, True), ("Who can apply", 13, False)]:
        run = document.add_paragraph().add_run(text)
        run.font.size, run.bold = Pt(size), bold
    document.add_paragraph("Any resident with a vehicle registered here can apply.")
    document.add_paragraph().add_run("How long does it take?").bold = True
    document.add_paragraph("Permits are mailed within 10 business days.")
    document.add_paragraph().add_run("Bold words in a sentence stay a paragraph.").bold = True
    mixed = document.add_paragraph()
    mixed.add_run("Call us").font.size = Pt(11)
    mixed.add_run(" any weekday").font.size = Pt(9)
    document.add_paragraph("1. Fill in the form")
    document.save(tmp_path / "hand.docx")
    _, units = read(tmp_path / "hand.docx")
    assert [(p.text, p.section) for p in units] == [
        ("Any resident with a vehicle registered here can apply.", ("Parking Permit Guide", "Who can apply")),
        ("Permits are mailed within 10 business days.",
         ("Parking Permit Guide", "Who can apply", "How long does it take?")),
        ("Bold words in a sentence stay a paragraph.",
         ("Parking Permit Guide", "Who can apply", "How long does it take?")),
        ("Call us any weekday", ("Parking Permit Guide", "Who can apply", "How long does it take?")),
        ("1. Fill in the form", ("Parking Permit Guide", "Who can apply", "How long does it take?")),
    ]  # fmt: skip


def test_file_that_is_not_a_zip_is_skipped_with_a_note(tmp_path: Path) -> None:
    for name in ("fake.docx", "fake.pptx"):
        (tmp_path / name).write_text("just some text, not a zip")
        suffix = name.split(".")[1]
        assert (
            load_file(tmp_path / name, name)
            == f"{name}: skipped, not a valid .{suffix} file (not a zip archive)"
        )


def test_zip_bomb_is_skipped_naming_its_unpacked_size(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", b"\0" * 2_000_000)  # compresses to about 2 kB
    note = load_file(path, "bomb.docx", Limits(max_unpacked_bytes=1_000_000))
    assert isinstance(note, str) and note.startswith("bomb.docx: skipped, unpacks past the limit (")
    assert "at most 1,000,000)" in note
    assert isinstance(load_file(path, "bomb.docx"), Loaded)  # within the default limit it is read


def test_reading_past_the_time_limit_is_skipped_with_a_note(tmp_path: Path) -> None:
    note = load_file(make_pptx(tmp_path / "slow.pptx"), "slow.pptx", Limits(max_seconds=0))
    assert note == "slow.pptx: skipped, took longer than 0 s to read"


def test_empty_docx_has_no_text_found(tmp_path: Path) -> None:
    docx.Document().save(tmp_path / "empty.docx")
    assert load_file(tmp_path / "empty.docx", "empty.docx") == "empty.docx: skipped, no text found"


def test_pptx_slide_is_a_page_with_its_title_as_section(deck: tuple[Loaded, list[Passage]]) -> None:
    loaded, units = deck
    assert loaded.document.format == "pptx" and loaded.document.pages == 2
    first = unit(units, "Vectors carry")
    assert (first.page, first.section, first.kind) == (1, ("Why vectors matter",), "item")
    assert unit(units, "A single dose").section == ("Costs",) and unit(units, "A single dose").page == 2
    assert not any(p.text in ("Why vectors matter", "Costs") for p in units)


def test_pptx_shapes_read_top_to_bottom_groups_too_and_text_boxes_are_paragraphs(
    deck: tuple[Loaded, list[Passage]],
) -> None:
    _, units = deck
    order = [p.text for p in units if p.page == 2]
    assert order[0] == "Manufacturing is slow and costly."
    assert order[-2:] == [
        "A single dose can cost millions.",
        "Prices fall with scale.",
    ]  # the last in a group
    assert unit(units, "Manufacturing").kind == "paragraph"


def test_pptx_table_rows_carry_their_header(deck: tuple[Loaded, list[Passage]]) -> None:
    _, units = deck
    row = unit(units, "| Zolgensma")
    assert (row.text, row.kind, row.header, row.page) == (
        "| Zolgensma | 2.1 million |",
        "row",
        "| Therapy | Price |",
        2,
    )


def test_pptx_speaker_notes_are_read_under_the_slide(deck: tuple[Loaded, list[Passage]]) -> None:
    _, units = deck
    note = unit(units, "Speaker note")
    assert (note.page, note.section, note.kind) == (1, ("Why vectors matter", "Notes"), "paragraph")
