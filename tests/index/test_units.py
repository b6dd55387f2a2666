"""Units kept in memory-mapped files: every passage and sentence read back verbatim, made only when asked for."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.build import BuildReport, build_index
from index.embed import Embedder
from index.layout import IndexDamaged, IndexMismatch, read_units
from index.store import Store
from index.units import FILES, PASSAGES, Units, write_units
from index.versions import current_version
from ingest.load import load_corpus
from ingest.split import passages as split_passages
from ingest.units import Passage, Sentence
from server.settings import Settings


def _store(settings: Settings) -> Store:
    return Store.open(settings.index, settings.model, settings.max_passage_chars)


def test_every_unit_reads_back_verbatim(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    assert len(store.passages) == built.passages and len(store.sentences) == built.sentences
    for pid, passage in enumerate(store.passages):
        assert store.documents[passage.doc_id][passage.start : passage.end] == passage.text
        ids = store.passage_sentence_ids(pid)
        assert [store.sentences[sid] for sid in ids] == list(passage.sentences)
        assert all(int(store.sentence_passage[sid]) == pid for sid in ids)
        for sentence in passage.sentences:
            assert store.documents[sentence.doc_id][sentence.start : sentence.end] == sentence.text


def test_units_are_those_the_documents_split_into(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    split = [p for item in load_corpus(settings.corpus).loaded for p in split_passages(item.document, item.blocks)]
    assert sorted(store.passages, key=_place) == sorted(split, key=_place)
    assert {p.context for p in store.passages} == {p.context for p in split}
    assert any(p.page for p in store.passages) and any(any(p.section) for p in store.passages)


def _place(passage: Passage) -> tuple[str, int]:
    return passage.doc_id, passage.start


def test_text_beyond_ascii_keeps_its_offsets(tmp_path: Path) -> None:
    text = "Hervé’s naïve test — 😀 done.\nA lone \ud800 surrogate. Ünïcode ends here."
    cut = text.index("\n") + 1
    units = [Sentence("a.txt", 0, cut - 1, text[: cut - 1]), Sentence("a.txt", cut, len(text), text[cut:])]
    passages = [Passage("a.txt", 0, cut - 1, text[: cut - 1], (units[0],), ("Títle", "Part 2"), 3, None, "item"),
                Passage("a.txt", cut, len(text), text[cut:], (units[1],), (), None, "Header", "row", "ctx")]  # fmt: skip
    write_units(tmp_path, {"empty.txt": "", "a.txt": text}, passages)
    documents, read = read_units(tmp_path)
    assert documents == {"empty.txt": "", "a.txt": text} and read == passages
    assert [p.context for p in read] == ["", "ctx"]


def test_units_are_made_on_demand_and_the_last_few_kept(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    assert store.units.passage.cache_info().currsize == 0
    first = store.passages[0]
    assert store.passages[0] is first and store.passages[-1] == store.passages[len(store.passages) - 1]
    assert store.units.passage.cache_info().currsize == 2
    with pytest.raises(IndexError):
        store.sentences[len(store.sentences)]
    assert not store.units.passage_rows.flags.owndata and not store.units.sentence_rows.flags.owndata
    assert "editing.txt" in store.documents and "nothing.txt" not in store.documents
    assert store.documents.get("nothing.txt") is None and len(store.documents) == len(list(store.documents))


def test_passage_at_finds_the_passage_holding_an_offset(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    passage = store.passages[len(store.passages) // 2]
    assert store.passage_at(passage.doc_id, passage.start) == passage
    assert store.passage_at(passage.doc_id, passage.end - 1) == passage
    assert store.passage_at("nothing.txt", 0) is None


def _as_format_4(version: Path) -> None:
    """Rewrite a version's units as format 4 wrote them: documents.json and passages.json."""
    documents, passages = read_units(version)
    (version / "documents.json").write_text(json.dumps(documents))
    records = [{"doc": p.doc_id, "start": p.start, "end": p.end, "section": list(p.section), "page": p.page,
                "header": p.header, "kind": p.kind, "context": p.context,
                "sentences": [[s.start, s.end] for s in p.sentences]} for p in passages]  # fmt: skip
    (version / "passages.json").write_text(json.dumps(records))
    for name in FILES:
        (version / name).unlink()
    manifest = json.loads((version / "manifest.json").read_text())
    (version / "manifest.json").write_text(json.dumps({**manifest, "format_version": 4}))


def _never() -> Embedder:
    raise AssertionError("the model was loaded although every vector could be reused")


def test_version_of_the_old_format_is_refused_then_rewritten_reusing_its_vectors(
    tmp_path: Path, settings: Settings, built: BuildReport
) -> None:
    shutil.copytree(settings.index, tmp_path / "index")
    old = current_version(tmp_path / "index")
    _as_format_4(old)
    with pytest.raises(IndexMismatch, match="format 4.*verbatim index"):
        Store.open(tmp_path / "index", settings.model, settings.max_passage_chars)
    report = build_index(settings.corpus, tmp_path / "index", settings.model, settings.max_passage_chars,
                         embedder=_never)  # fmt: skip
    assert report.version and report.full_rebuild is None and report.embedded == 0 and report.reused > 0
    store = Store.open(tmp_path / "index", settings.model, settings.max_passage_chars)
    assert store.path != old and list(store.passages) == read_units(old)[1]


def test_version_of_an_unknown_format_is_built_again_whole(tmp_path: Path, settings: Settings,
                                                           embedder: Embedder, built: BuildReport) -> None:  # fmt: skip
    shutil.copytree(settings.index, tmp_path / "index")
    manifest_file = current_version(tmp_path / "index") / "manifest.json"
    manifest_file.write_text(json.dumps({**json.loads(manifest_file.read_text()), "format_version": 3}))
    report = build_index(settings.corpus, tmp_path / "index", settings.model, settings.max_passage_chars,
                         embedder=lambda: embedder)  # fmt: skip
    assert report.full_rebuild and "format" in report.full_rebuild and report.embedded > 0


def test_units_files_that_disagree_are_refused(tmp_path: Path, settings: Settings, built: BuildReport) -> None:
    shutil.copytree(settings.index, tmp_path / "index")
    version = current_version(tmp_path / "index")
    (version / "text.bin").write_bytes((version / "text.bin").read_bytes()[:-10])
    with pytest.raises(ValueError, match="do not match"):
        Units(version)
    with pytest.raises(IndexDamaged, match="damaged"):
        Store.open(tmp_path / "index", settings.model, settings.max_passage_chars)
    (version / PASSAGES).write_bytes(b"")
    with pytest.raises(IndexDamaged, match="rebuild"):
        Store.open(tmp_path / "index", settings.model, settings.max_passage_chars)


def test_document_counts_are_those_of_the_passages(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    counts: dict[str, int] = {}
    sections: dict[str, set] = {}
    for passage in store.passages:
        counts[passage.doc_id] = counts.get(passage.doc_id, 0) + 1
        if any(passage.section):
            sections.setdefault(passage.doc_id, set()).add(passage.section)
    expected = {doc_id: (counts.get(doc_id, 0), len(sections.get(doc_id, ()))) for doc_id in store.documents}
    assert store.document_counts() == expected and any(found for _, found in expected.values())


def test_the_sentences_of_given_passages_are_theirs_in_order(settings: Settings, built: BuildReport) -> None:
    store = _store(settings)
    for pids in (np.arange(len(store.passages)), np.array([len(store.passages) - 1, 0, 2]), np.zeros(0, np.int64)):
        expected = [sid for pid in pids.tolist() for sid in store.passage_sentence_ids(pid)]
        assert store.sentences_of(pids).tolist() == expected
    for document in store.documents:
        expected = [pid for pid in range(len(store.passages)) if store.passages[pid].doc_id == document]
        assert store.document_passages(document).tolist() == expected
