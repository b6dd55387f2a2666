"""The sentence segmenter against the regex it replaces, on the cases that break a regex."""

import pysbd

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
    ("It stars Montgomery Clift as Fr. Michael Logan. Sen. Smith and Lt. Gen. Brown came. They left.",
     ["It stars Montgomery Clift as Fr. Michael Logan.", "Sen. Smith and Lt. Gen. Brown came.", "They left."]),
    # a research paper's numbered references and abbreviations
    ("It was 5.2 days, as reported by Li et al. [12]. Risk rose (p < 0.001). See Suppl. Fig. S3 for details.",
     ["It was 5.2 days, as reported by Li et al. [12].", "Risk rose (p < 0.001).", "See Suppl. Fig. S3 for details."]),
    ("The rate was 12% [3, 4]. [5] showed otherwise. Data are in Tab. 2 of ref. 7.",
     ["The rate was 12% [3, 4].", "[5] showed otherwise.", "Data are in Tab. 2 of ref. 7."]),
    # references set as superscripts after the full stop, written out as numbers: the sentence ends after them
    ("Enzymes were checked at each visit.12,13 Rates were low.4-6 Smith et al.8 saw none. Mean age was 57.8 years.",
     ["Enzymes were checked at each visit.12,13", "Rates were low.4-6", "Smith et al.8 saw none.",
      "Mean age was 57.8 years."]),
    # a one-word reply says nothing without the sentence it opens; a word ending a sentence of its own is kept
    ("Can I renew online?\nYes. You can renew by mail too. No. Not for children.",
     ["Can I renew online?", "Yes. You can renew by mail too.", "No. Not for children."]),
    ("It was approved. Finally.", ["It was approved.", "Finally."]),
    # the last word of a sentence a page break cut is no reply
    ("problems. It is believed that NP is not equal to co-NP.",
     ["problems.", "It is believed that NP is not equal to co-NP."]),
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


# (text, its sentences) — abbreviations pysbd ends a sentence at, and the ones it already gets right.
ABBREVIATIONS = [
    ("Built c. 700 BC by the king. It fell c. 600 BC.", ["Built c. 700 BC by the king.", "It fell c. 600 BC."]),
    ("It was ca. 1500 years old.", ["It was ca. 1500 years old."]),
    ("It costs approx. 5 dollars. Fine.", ["It costs approx. 5 dollars.", "Fine."]),
    ("The mean was approx. 4. Then it fell.", ["The mean was approx. 4.", "Then it fell."]),
    ("They met at approx. noon.", ["They met at approx. noon."]),
    ("See cf. the other paper.", ["See cf. the other paper."]),
    ("Cf. Smith 2001 for details.", ["Cf. Smith 2001 for details."]),
    ("See Figs. 3 and 4. Both agree.", ["See Figs. 3 and 4.", "Both agree."]),
    ("In No. 5, Vol. 2 of the journal.", ["In No. 5, Vol. 2 of the journal."]),
    ("It is est. 1990 by most.", ["It is est. 1990 by most."]),
    ("Use a tool, e.g. this one. Or not.", ["Use a tool, e.g. this one.", "Or not."]),
    ("The values, i.e. the ones here, matter.", ["The values, i.e. the ones here, matter."]),
    ("Red vs. blue is old.", ["Red vs. blue is old."]),
    ("As shown in Fig. 3 the rate rises.", ["As shown in Fig. 3 the rate rises."]),
    ("Ask Dr. Smith today. He knows.", ["Ask Dr. Smith today.", "He knows."]),
    ("He lived in St. Paul for years.", ["He lived in St. Paul for years."]),
    ("Apples, pears, etc. are fruit.", ["Apples, pears, etc. are fruit."]),
    ("Apples, pears, etc. Then more.", ["Apples, pears, etc.", "Then more."]),
    ("He said No. Then he left.", ["He said No.", "Then he left."]),
    ("The cat sat. the dog ran.", ["The cat sat. the dog ran."]),
    ("What is a vector? It carries genes.", ["What is a vector?", "It carries genes."]),
]  # fmt: skip

# (text, its sentences) — line breaks inside a block: a wrapped line goes on, a line of its own ends.
LINE_BREAKS = [
    ("This is line one of a\nparagraph that is wrapped. And it goes on\nto the next line.",
     ["This is line one of a\nparagraph that is wrapped.", "And it goes on\nto the next line."]),
    ("Vectors carry the genetic material into\nPatients' cells, in most approved therapies.",
     ["Vectors carry the genetic material into\nPatients' cells, in most approved therapies."]),
    ("The drug is used for the treat-\nment of severe cases. It works.",
     ["The drug is used for the treat-\nment of severe cases.", "It works."]),
    ("The valve closes when the pressure drops\n\n- 12 -\n\nbelow the set point. It opens later.",
     ["The valve closes when the pressure drops\n\n- 12 -\n\nbelow the set point.", "It opens later."]),
    ("Built c.\n700 BC by the king.", ["Built c.\n700 BC by the king."]),
    ("Manufacturing\nViral vectors are grown in living cells.",
     ["Manufacturing", "Viral vectors are grown in living cells."]),
]  # fmt: skip


def test_abbreviations_never_end_a_sentence() -> None:
    for text, expected in ABBREVIATIONS:
        assert _segmented(text) == expected, text


def test_abbreviation_table_holds_cases_pysbd_alone_gets_wrong() -> None:
    segmenter = pysbd.Segmenter(language="en", clean=False)
    wrong = [
        text for text, expected in ABBREVIATIONS if [s.strip() for s in segmenter.segment(text)] != expected
    ]
    assert len(wrong) >= 8


def test_line_breaks_inside_a_sentence_do_not_end_it() -> None:
    for text, expected in LINE_BREAKS:
        assert _segmented(text) == expected, text
