"""The sentence segmenter against the regex it replaces, on the cases that break a regex."""

from ingest.split import naive_sentences, split_sentences

# (text, its sentences) — abbreviations, initials, decimals, parentheses, quotes, em-dashes, a closing ':'.
CASES = [
    ("Dr. Smith et al. found that U.S. patients improved. Results were mixed.",
     ["Dr. Smith et al. found that U.S. patients improved.", "Results were mixed."]),
    ("Doses of 3.5 mg were used (see Fig. 2). The trial ended.",
     ["Doses of 3.5 mg were used (see Fig. 2).", "The trial ended."]),
    ("CAR-T cell therapy — where cells are reprogrammed — is established. It is specialized.",
     ["CAR-T cell therapy — where cells are reprogrammed — is established.", "It is specialized."]),
    ('"Is it safe?" she asked. Nobody knew.', ['"Is it safe?" she asked.', "Nobody knew."]),
    ("Approved e.g. in the E.U. and elsewhere. Prices vary.",
     ["Approved e.g. in the E.U. and elsewhere.", "Prices vary."]),
    ("Outcomes vary based on factors that include:", ["Outcomes vary based on factors that include:"]),
    ("J. R. R. Tolkien wrote it. Mr. Jones read it.", ["J. R. R. Tolkien wrote it.", "Mr. Jones read it."]),
]  # fmt: skip


def _segmented(text: str) -> list[str]:
    return [s.text for s in split_sentences("doc", text, 0, len(text))]


def test_segmenter_splits_every_hard_case_right() -> None:
    for text, expected in CASES:
        assert _segmented(text) == expected


def test_segmenter_beats_the_regex_on_hard_cases() -> None:
    segmenter = sum(_segmented(text) == expected for text, expected in CASES)
    regex = sum(naive_sentences(text) == expected for text, expected in CASES)
    assert segmenter == len(CASES) and regex < segmenter


def test_sentence_offsets_point_into_the_text_inside_a_span() -> None:
    text = "Preamble. Gene therapy works. It is new. Trailer."
    start, end = text.index("Gene"), text.index(" Trailer")
    sentences = split_sentences("doc", text, start, end)
    assert [s.text for s in sentences] == ["Gene therapy works.", "It is new."]
    assert all(text[s.start : s.end] == s.text for s in sentences)
