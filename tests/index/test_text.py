"""Word tokens for the lexical index and the term checks (index.text)."""

import pytest

from index.text import question_tokens, tokens


@pytest.mark.parametrize(("text", "expected"), [
    ("What's the aim of gene therapy?", ["aim", "gene", "therapi"]),  # "what's" is "what": no word of the question's
    ("It’s there's they're", []),
    ("the children's doctors", ["children", "doctor"]),  # a possessive is its noun's
    ("CAR-T cells", ["car-t", "car", "cell"]),  # a hyphenated word and its parts, "T" a stop word
])  # fmt: skip
def test_stop_words_with_a_clitic_are_stop_words(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(("question", "searched"), [
    ("Is it quite safe?", "Is it safe?"),  # not "quit", as in "quit smoking"
    ("how do they actually get the genes in", "how do they get the genes in"),  # not "actual"
    ("Is the actual cost known?", "Is the actual cost known?"),
    ("what exactly do I put in the envelope", "what do I put in the envelope"),
    ("what even is gene therapy", "what is gene therapy"),  # not "Even where therapies exist, ..."
    ("Actually, how well did Just Dance sell?", "how well did Just Dance sell?"),  # a name's word stays
])  # fmt: skip
def test_a_question_is_searched_without_the_words_that_only_hedge_it(question: str, searched: str) -> None:
    assert question_tokens(question) == tokens(searched)
    assert question_tokens(question) != tokens(question) or question == searched
