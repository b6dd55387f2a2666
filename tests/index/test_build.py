"""Building, rebuilding and opening an index: manifest, reuse of vectors, refusals."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import index.store
from index.build import BuildReport, build_index
from index.embed import Embedder
from index.layout import (
    HEADING_WORDS,
    MANIFEST,
    IndexDamaged,
    IndexMismatch,
    IndexNotBuilt,
    read_manifest,
    sentence_text_for_embedding,
)
from index.store import Store
from index.versions import current_version
from ingest.units import Passage, Sentence
from server.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _never() -> Embedder:
    raise AssertionError("the model was loaded although nothing needed embedding")


def test_index_package_is_this_repository() -> None:
    assert Path(index.store.__file__).resolve().is_relative_to(REPO)


def test_manifest_records_what_the_index_was_built_with(settings: Settings, built: BuildReport) -> None:
    manifest = read_manifest(current_version(settings.index))
    assert manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384}
    assert manifest["chunking"]["max_passage_chars"] == settings.max_passage_chars
    assert set(manifest["documents"]) == {"editing.txt", "vectors.md", "trials.html", "reports/manufacturing.pdf"}
    assert all(len(d["sha256"]) == 64 for d in manifest["documents"].values())
    assert manifest["counts"] == {"documents": 4, "passages": built.passages, "sentences": built.sentences}
    assert built.added == sorted([*manifest["documents"], "broken.txt"]) and built.version


def test_unchanged_corpus_is_not_rebuilt_and_loads_no_model(settings: Settings, built: BuildReport) -> None:
    report = build_index(settings.corpus, settings.index, settings.model, settings.max_passage_chars,
                         embedder=_never)  # fmt: skip
    assert report.version is None and not (report.added or report.changed or report.removed)


def test_rebuild_reuses_vectors_and_drops_removed_document(tmp_path: Path, settings: Settings,
                                                           embedder: Embedder) -> None:  # fmt: skip
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus, corpus)
    first = build_index(corpus, tmp_path / "index", settings.model, 700, embedder=lambda: embedder)
    (corpus / "trials.html").unlink()
    with open(corpus / "editing.txt", "a", encoding="utf-8") as handle:
        handle.write("Prime editing rewrites short stretches of DNA.\n")
    second = build_index(corpus, tmp_path / "index", settings.model, 700, embedder=lambda: embedder)
    assert (second.changed, second.removed, second.added) == (["editing.txt"], ["trials.html"], [])
    assert 0 < second.embedded <= 3 and second.reused > 0 and second.embedded < first.embedded
    store = Store.open(tmp_path / "index", settings.model, 700)
    assert "trials.html" not in store.documents
    assert not any(p.doc_id == "trials.html" for p in store.passages)
    assert not any("Phase II" in s.text for s in store.sentences)
    assert any("Prime editing" in s.text for s in store.sentences)
    assert store.lexical(["phase"]).max() == 0  # gone from the lexical index too


def test_a_sentence_is_embedded_with_its_nearest_headings_not_a_long_title() -> None:
    title = ("Efficacy, Immunogenicity, and Safety of a Bivalent Norovirus Virus-Like Particle Vaccine in Adults Aged "
             "60 Years and Older: A Phase 3 Randomized Trial")  # fmt: skip
    text = "This trial was funded by Meridale Vaccines Inc."
    sentence = Sentence("paper.md", 0, len(text), text)

    def embedded(*section: str) -> str:
        return sentence_text_for_embedding(Passage("paper.md", 0, len(text), text, (sentence,), section), sentence)

    assert len(title.split()) > HEADING_WORDS
    assert embedded(title, "Funding") == f"Funding: {text}"
    assert embedded(title, "2. Methods", "2.1. Funding") == f"2. Methods > 2.1. Funding: {text}"
    assert embedded("Disability benefits", "How to apply") == f"Disability benefits > How to apply: {text}"
    assert embedded(title) == f"{title}: {text}"  # the nearest heading is always read, however long
    assert embedded() == text


def test_a_version_embedded_another_way_is_embedded_again(tmp_path: Path, settings: Settings,
                                                          embedder: Embedder) -> None:  # fmt: skip
    """Reusing its vectors would give sentences the vectors of texts they are no longer embedded as."""
    first = build_index(settings.corpus, tmp_path / "index", settings.model, 700, embedder=lambda: embedder)
    manifest_path = current_version(tmp_path / "index") / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["chunking"].pop("sentence_headings")  # as a version written before sentences read fewer headings
    manifest_path.write_text(json.dumps(manifest))
    second = build_index(settings.corpus, tmp_path / "index", settings.model, 700, embedder=lambda: embedder)
    assert second.full_rebuild and second.version and second.embedded == first.embedded and second.reused == 0


def test_index_built_with_another_model_is_refused(settings: Settings, built: BuildReport) -> None:
    with pytest.raises(IndexMismatch, match="built with model 'all-MiniLM-L6-v2'.*verbatim index"):
        Store.open(settings.index, "another-model", settings.max_passage_chars)


def test_index_with_other_chunking_is_refused(settings: Settings, built: BuildReport) -> None:
    with pytest.raises(IndexMismatch, match="passages of at most"):
        Store.open(settings.index, settings.model, settings.max_passage_chars + 1)


def test_missing_index_says_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuilt, match="run `verbatim index` first"):
        Store.open(tmp_path / "none", "all-MiniLM-L6-v2", 700)


def test_damaged_index_is_refused(tmp_path: Path, settings: Settings, built: BuildReport) -> None:
    shutil.copytree(settings.index, tmp_path / "index")
    vectors = current_version(tmp_path / "index") / "sentence_vectors.npy"
    np.save(vectors, np.load(vectors)[:-1])
    with pytest.raises(IndexDamaged, match="damaged"):
        Store.open(tmp_path / "index", settings.model, settings.max_passage_chars)


def test_a_version_keeps_the_acronyms_its_documents_write_in_capitals(settings: Settings, built: BuildReport) -> None:
    store = Store.open(settings.index, settings.model, settings.max_passage_chars)
    assert store.acronyms is not None and {"aav", "crispr", "dna", "iii"} <= store.acronyms
    assert "lentiviruses" not in store.acronyms


def test_ligatures_a_pdf_may_be_extracted_with_are_embedded_as_their_letters(tmp_path: Path,
                                                                           embedder: Embedder) -> None:  # fmt: skip
    # The model's tokenizer reads "ﬁ" as a letter of its own: "speciﬁc" would be embedded as another word.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ligatures.txt").write_text("The speciﬁc ofﬁce has a difﬁcult ﬂow.\n", encoding="utf-8")
    (corpus / "letters.txt").write_text("The specific office has a difficult flow.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "index", "all-MiniLM-L6-v2", 700, embedder=lambda: embedder)
    store = Store.open(tmp_path / "index", "all-MiniLM-L6-v2", 700)
    by_text = {s.text: n for n, s in enumerate(store.sentences)}
    assert set(by_text) == {"The speciﬁc ofﬁce has a difﬁcult ﬂow.", "The specific office has a difficult flow."}
    ligatures, letters = (store.sentence_vectors[by_text[t]] for t in by_text)  # quoted as written, read alike
    assert float(ligatures @ letters) > 0.9999
    assert float(embedder.encode_query("speciﬁc ﬂow") @ embedder.encode_query("specific flow")) > 0.9999
