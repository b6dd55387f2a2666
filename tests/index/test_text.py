"""Word tokens for the lexical index and the term checks (index.text)."""

import pytest

from index.text import tokens


@pytest.mark.parametrize(("text", "expected"), [
    ("What's the aim of gene therapy?", ["aim", "gene", "therapi"]),  # "what's" is "what": no word of the question's
    ("It’s there's they're", []),
    ("the children's doctors", ["children", "doctor"]),  # a possessive is its noun's
    ("CAR-T cells", ["car-t", "car", "cell"]),  # a hyphenated word and its parts, "T" a stop word
])  # fmt: skip
def test_stop_words_with_a_clitic_are_stop_words(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected
