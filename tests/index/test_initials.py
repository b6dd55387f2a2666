"""The documents' initials (index.initials): which documents may spell an acronym out, read from real files."""

from pathlib import Path

import pytest

from index.initials import Initials, encode, read_initials, write_initials

TEXTS = [
    "Patients in the United Kingdom are seen by the National Health Service.",
    "Vectors such as adeno-associated virus carry the gene.",
    "The big cat sat on the mat.",
    "After World War 2 the Department of Defense grew.",
    "United, Kingdom: a comma breaks the phrase.",
]


@pytest.fixture(scope="module")
def initials(tmp_path_factory: pytest.TempPathFactory) -> Initials:
    path = tmp_path_factory.mktemp("initials")
    write_initials(path, TEXTS)
    found = read_initials(path)
    assert found is not None
    return found


@pytest.mark.parametrize(("slots", "documents"), [
    (["u", "k"], [0]),  # capitalized words; not document 4, where a comma stands between them
    (["n", "h", "s"], [0]),
    (["a", "a", "v"], [1]),  # lowercase, and "adeno" is rare in English
    (["t", "b", "c"], []),  # three common lowercase words spell no acronym
    (["w", "w", None], [3]),  # a numeral of its own
    (["d", "d"], [3]),  # a joining word between: Department of Defense
    (["d", "o", "d"], [3]),  # or the joining word as one of the words
    (["q", "x"], []),
])  # fmt: skip
def test_the_documents_that_may_spell_an_acronym_out(initials: Initials, slots: list, documents: list) -> None:
    assert initials.find(slots).tolist() == documents


def test_a_word_is_one_byte_and_only_whitespace_and_hyphens_join_words() -> None:
    assert len(encode("adeno-associated  virus")) == 3
    assert len(encode("U.K.")) == 4  # U, a break, K, a break


def test_a_version_written_before_initials_were_kept_has_none(tmp_path: Path) -> None:
    assert read_initials(tmp_path) is None


def test_a_word_whose_initial_is_no_ascii_letter_may_fill_a_place_of_any_other_letter(tmp_path: Path) -> None:
    write_initials(tmp_path, ["İstanbul Kongresi met.", "Über Müller wrote.", "the ıris implant"])
    initials = read_initials(tmp_path)
    assert initials is not None
    assert initials.find(["k"]).tolist() == [0]  # the first word's initial is no ASCII letter: no crash, no match
    assert 1 in initials.find(["ü", "m"]).tolist()  # "Über Müller" (and, as any word may, İstanbul ... met)
    assert initials.find(["i", "i"]).tolist() == []  # "ı" is no "i"
