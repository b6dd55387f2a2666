"""Reading every format: structure kept, offsets exact, bad files skipped by name."""

from pathlib import Path

import pytest

from ingest.load import Corpus, CorpusError, Loaded, load_corpus
from ingest.split import passages
from ingest.units import Block, Document
from server.settings import Settings


@pytest.fixture(scope="module")
def corpus(settings: Settings) -> Corpus:
    return load_corpus(settings.corpus)


def by_id(corpus: Corpus, doc_id: str) -> Loaded:
    return next(item for item in corpus.loaded if item.document.doc_id == doc_id)


def test_every_unit_of_every_format_is_verbatim(corpus: Corpus) -> None:
    formats = set()
    for item in corpus.loaded:
        text = item.document.text
        formats.add(item.document.format)
        units = passages(item.document, item.blocks)
        assert units, item.document.doc_id
        for passage in units:
            assert text[passage.start : passage.end] == passage.text
            for sentence in passage.sentences:
                assert text[sentence.start : sentence.end] == sentence.text
                assert passage.start <= sentence.start < sentence.end <= passage.end
    assert formats == {"txt", "md", "html", "pdf"}


def test_plain_text_is_the_file_as_decoded(corpus: Corpus, settings: Settings) -> None:
    item = by_id(corpus, "editing.txt")
    assert item.document.text == (settings.corpus / "editing.txt").read_text(encoding="utf-8")


def test_markdown_headings_become_the_section_trail(corpus: Corpus) -> None:
    units = passages(*_doc(corpus, "vectors.md"))
    lenti = next(p for p in units if "Lentiviruses integrate" in p.text)
    assert lenti.section == ("Gene delivery", "Viral vectors")
    item = next(p for p in units if p.text.startswith("Retroviruses"))
    assert item.kind == "item"


def test_table_row_stays_whole_and_carries_its_header(corpus: Corpus) -> None:
    for doc_id, row_start in (("vectors.md", "| AAV |"), ("trials.html", "| Phase III |")):
        row = next(p for p in passages(*_doc(corpus, doc_id)) if p.text.startswith(row_start))
        assert row.kind == "row" and len(row.sentences) == 1 and row.sentences[0].text == row.text
        assert row.header is not None and row.header.startswith("| ")
        assert row.context.splitlines()[-1].startswith(row.header.strip("| ").split(" |")[0] + ":")


def test_html_keeps_headings_and_drops_scripts(corpus: Corpus) -> None:
    document, blocks = _doc(corpus, "trials.html")
    assert "ignored" not in document.text and "color: red" not in document.text
    phase_two = next(p for p in passages(document, blocks) if "Phase II trials" in p.text)
    assert phase_two.section == ("Clinical trials", "Phases") and phase_two.kind == "item"
    assert "approved & marketed" in document.text


def test_pdf_passages_know_their_page(corpus: Corpus) -> None:
    units = passages(*_doc(corpus, "reports/manufacturing.pdf"))
    pages = {p.page for p in units if "bioreactors" in p.text} | {p.page for p in units if "high prices" in p.text}
    assert pages == {1, 2}


def test_plain_text_title_line_becomes_the_section(corpus: Corpus) -> None:
    units = passages(*_doc(corpus, "editing.txt"))
    assert all(p.section == ("Genome editing",) for p in units)
    assert not any(p.text == "Genome editing" for p in units)


def test_undecodable_and_unsupported_files_are_skipped_by_name(corpus: Corpus) -> None:
    ids = {item.document.doc_id for item in corpus.loaded}
    assert "broken.txt" not in ids and "table.csv" not in ids
    assert any(line.startswith("broken.txt: skipped, not valid UTF-8") for line in corpus.skipped)
    assert any(line.startswith("table.csv: skipped") for line in corpus.skipped)


def test_byte_order_mark_is_fine_and_offsets_still_hold(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffGene therapy works. It is new.\n".encode())
    item = load_corpus(tmp_path).loaded[0]
    units = passages(item.document, item.blocks)
    assert [s.text for s in units[0].sentences] == ["Gene therapy works.", "It is new."]
    assert all(item.document.text[s.start : s.end] == s.text for s in units[0].sentences)


def test_a_markdown_paragraph_opening_in_bold_is_no_list_item(tmp_path: Path) -> None:
    (tmp_path / "paper.md").write_text("## Abstract\n\n**Methods:** Adults were enrolled.\n\n* Retroviruses integrate.\n"
                                       "\n*Note:* Doses were fixed.\n")  # fmt: skip
    item = load_corpus(tmp_path).loaded[0]
    units = passages(item.document, item.blocks)
    assert [p.text for p in units] == ["**Methods:** Adults were enrolled.", "Retroviruses integrate.",
                                       "*Note:* Doses were fixed."]  # fmt: skip


def test_a_markdown_question_in_bold_heads_its_answer(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text("# Parking\n\n**How much is a permit?**\n\nA permit costs $40.\n\n"
                                     "**Can visitors park?**\n\nYes, with a day pass.\n\n## Fines\n\nFines are $25.\n")  # fmt: skip
    item = load_corpus(tmp_path).loaded[0]
    units = passages(item.document, item.blocks)
    assert [(p.text, p.section) for p in units] == [
        ("A permit costs $40.", ("Parking", "How much is a permit?")),
        ("Yes, with a day pass.", ("Parking", "Can visitors park?")),
        ("Fines are $25.", ("Parking", "Fines")),
    ]


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(CorpusError, match="no readable"):
        load_corpus(tmp_path)


def _doc(corpus: Corpus, doc_id: str) -> tuple[Document, list[Block]]:
    item = by_id(corpus, doc_id)
    return item.document, item.blocks
