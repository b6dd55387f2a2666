"""Answers from the real model and index over tests/data: verbatim, cited, abstaining when they must."""

import shutil
from pathlib import Path

import numpy as np
import pytest

import server.answer.qa
from index.embed import Embedder
from index.text import stem, tokens
from server.answer.followup import resolve
from server.answer.qa import NO_ANSWER, QA, Answer
from server.answer.retrieve import (
    answer_type_match,
    asked_for,
    beyond,
    broken,
    corpus_subject,
    quotable_shape,
    rank,
    rank_passages,
    retrieved_topic,
    topic_words,
    unquotable,
)
from server.answer.terms import (
    asked_part,
    foreign,
    missing_terms,
    negated_tokens,
    personal,
    respelt,
    unsupported_qualifiers,
)
from server.engine import build, open_qa
from server.settings import Settings

GOLDEN = [  # question, document it must cite, words the first sentence holds
    ("What does CRISPR allow scientists to do?", "editing.txt", "target specific DNA sequences"),
    ("Do lentiviruses integrate into the genome?", "vectors.md", "Lentiviruses integrate"),
    ("What do Phase II trials measure?", "trials.html", "measure whether the treatment works"),
    ("Where are viral vectors grown?", "reports/manufacturing.pdf", "bioreactors"),
    ("What is the capacity of AAV?", "vectors.md", "4.7 kilobases"),
]


def assert_verbatim_and_cited(qa: QA, answer: Answer) -> None:
    citations = {c.id: c for c in answer.citations}
    for sentence in answer.sentences:
        citation = citations[sentence.citation]
        text = qa.store.documents[citation.source]
        assert text[sentence.start : sentence.end] == sentence.text
        assert text[citation.start : citation.end] == citation.passage
        assert citation.start <= sentence.start and sentence.end <= citation.end
    assert {s.citation for s in answer.sentences} == set(citations)


def engine_over(root: Path, documents: dict[str, str], embedder: Embedder) -> QA:
    """A real index over the documents (path under the corpus: text), built and opened."""
    for name, text in documents.items():
        (root / "corpus" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "corpus" / name).write_text(text)
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build(settings, embedder=embedder)
    return open_qa(settings, embedder)


@pytest.mark.parametrize(("question", "source", "words"), GOLDEN)
def test_golden_question_cites_the_right_document(qa: QA, question: str, source: str, words: str) -> None:
    answer = qa.ask(question)
    assert answer.answered, answer.answer
    assert words in answer.sentences[0].text
    assert answer.citations[answer.sentences[0].citation - 1].source == source
    assert 1 <= len(answer.sentences) <= qa.settings.max_sentences
    assert_verbatim_and_cited(qa, answer)


def test_pdf_citation_names_its_page(qa: QA) -> None:
    answer = qa.ask("Why are gene therapy prices high?")
    cited = answer.citations[answer.sentences[0].citation - 1]
    assert cited.source == "reports/manufacturing.pdf" and cited.page == 2


def test_markdown_citation_names_its_section(qa: QA) -> None:
    answer = qa.ask("Do lentiviruses integrate into the genome?")
    assert answer.citations[0].section == "Gene delivery > Viral vectors"


def test_answer_text_is_the_sentences_with_markers(qa: QA) -> None:
    answer = qa.ask("What do Phase II trials measure?")
    expected = " ".join(f"{' '.join(s.text.split())} [{s.citation}]" for s in answer.sentences)
    assert answer.answer == expected


@pytest.mark.parametrize("question", ["Tell me a joke", "What's the best laptop for programming?"])
def test_off_topic_question_abstains(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert not answer.answered and answer.answer == NO_ANSWER
    assert answer.sentences == [] and answer.citations == []


def test_missing_distinctive_term_abstains_and_names_it(qa: QA) -> None:
    answer = qa.ask("Is Zolgensma approved for dividing cells?")
    assert not answer.answered and answer.missing_terms == ["Zolgensma"]
    assert "Zolgensma" in answer.answer and answer.sentences == []
    assert answer.related and all(qa.store.documents[r.source][r.start : r.end] == r.passage for r in answer.related)


def test_a_rare_word_typed_in_lowercase_is_distinctive(twins: QA) -> None:
    # a drug name typed as a search box gets it (Zipf 1.9: rarer than any everyday word)
    answer = twins.ask("was atorvastatin compared with semaglutide")
    assert not answer.answered and answer.missing_terms == ["atorvastatin"]


@pytest.mark.parametrize("question", ["How do I fix a flat bicycle tire?", "Which bicycle tire should I've bought?"])
def test_the_pronoun_i_is_no_missing_name(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert not answer.answered and answer.missing_terms == [] and "“I" not in answer.answer


@pytest.mark.parametrize("question", ["Do lentivirusses integrate into the genome?",
                                      "Which technologies succeded CRISPR-Cas9?",  # a stem no document word has
                                      "Which technologies sucecssor CRISPR-Cas9?",  # transposed letters
                                      "Who purhcased the viral vectors?"])  # a common word no document has  # fmt: skip
def test_misspelt_word_is_not_taken_for_a_missing_term(qa: QA, question: str) -> None:
    assert qa.evidence(question, []).missing == []


@pytest.mark.parametrize(("question", "searched"), [
    ("Where are viral vectors grwon?", "Where are viral vectors grown?"),
    ("Do lentivirusses integrate into the genome?", "Do lentiviruses integrate into the genome?"),
    ("What does CIRSPR allow scientists to do?", "What does CRISPR allow scientists to do?"),
    ("Who purhcased the AVVs?", "Who purchased the AAVs?"),  # a common English word; an acronym's plural
    ("Which trails were earliest?", "Which trails were earliest?"),  # an English word, though one letter from trials
    ("Are Hectors vectors viral?", "Are Hectors vectors viral?"),  # a name: its first letter is no slip from vectors
    ("do pentiviruses integrate?", "do lentiviruses integrate?"),  # a lowercase word's first letter may slip
])  # fmt: skip
def test_a_misspelt_word_is_searched_as_the_documents_spell_it(qa: QA, question: str, searched: str) -> None:
    assert qa.evidence(question, []).query == searched


def test_a_misspelt_question_gets_the_answer_of_the_spelt_one(qa: QA) -> None:
    spelt, misspelt = qa.ask("Where are viral vectors grown?"), qa.ask("Whree are virla vectors grwon?")
    assert misspelt.answered and misspelt.sentences == spelt.sentences
    followed = qa.ask("Where are they grwon?", ["What are virla vectors?"])
    assert followed.sentences == qa.ask("Where are they grown?", ["What are viral vectors?"]).sentences
    assert followed.query == "Where are viral vectors grown?"


def test_a_name_that_is_an_english_word_is_no_misspelling_of_another(qa: QA) -> None:
    # "Pacific" is two letters from the corpus's "specific"; a typo would be one letter from it.
    answer = qa.ask("Which vectors did the Pacific trial use?")
    assert not answer.answered and answer.missing_terms == ["Pacific"]


@pytest.mark.parametrize("question", ["What are base editors?", "What is a base editor?", "What are viral vectors?",
                                      "What are off-target effects?", "What are CRISPR therapies?"])  # CRISPR-based therapies  # fmt: skip
def test_a_term_asked_to_define_that_the_documents_name_is_answered(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert answer.answered and answer.missing_terms == []


@pytest.mark.parametrize(("question", "foreign"), [
    ("How do vaccines work?", True),  # "do" and "work" only phrase it; "vaccines" is no word of the documents
    ("Is coffee safe?", True),
    ("How do lentivirusses work?", False),  # a misspelling of the documents' "lentiviruses"
    ("How do vectors work?", False),
    ("What is it used for?", False),  # no word of its own: left to the similarity floor
])  # fmt: skip
def test_a_question_sharing_no_word_of_its_own_with_the_documents_abstains(qa: QA, question: str,
                                                                           foreign: bool) -> None:  # fmt: skip
    assert qa.evidence(question, []).foreign is foreign
    if foreign:
        assert not qa.ask(question).answered


def test_number_the_corpus_never_uses_is_a_missing_term(qa: QA) -> None:
    answer = qa.ask("Which vector was used in the trials of 1990?")
    assert not answer.answered and answer.missing_terms == ["1990"]


def test_question_whose_negation_the_evidence_lacks_abstains(qa: QA) -> None:
    assert qa.ask("What is each batch tested for before release?").answered
    evidence = qa.evidence("What is each batch not tested for before release?", [])
    assert evidence.unsupported == ["not"]
    assert not qa.ask("What is each batch not tested for before release?").answered


@pytest.mark.parametrize(("question", "unsupported"), [
    ("Which safety concern remains, or not, for editing?", []),  # "or not": how it is asked, not what
    ("Which term best describes unintended changes to the genome?", []),
    ("Which is the best tool for unintended changes to the genome?", ["best"]),
    ("Which editing tools work best for unintended changes to the genome?", []),  # how well, not which one is
    ("How long do the effects of base editing last?", []),  # "last": the verb, not the last of several
    ("Which was the last base-editing trial?", ["last"]),
    ("Which base-editing trials started last year?", []),  # a time, not the last of several
])  # fmt: skip
def test_qualifiers_that_only_phrase_the_question_are_not_required(qa: QA, question: str,
                                                                   unsupported: list[str]) -> None:  # fmt: skip
    assert qa.evidence(question, []).unsupported == unsupported


@pytest.mark.parametrize(("question", "evidence", "unsupported"), [
    ("Which city is not on the coast?", "Most lie on the coast, with the exception of Riverside.", []),
    ("Who was not part of the consortium?", "BSkyB had been excluded from the consortium.", []),
    ("Which city is not on the coast?", "Of the cities, Riverside lies on the coast.", ["not"]),
    ("What may or may not limit a machine?", "Time and space limit a machine.", []),
    ("Who bought the remaining 4 packages?", "Sky picked up the remaining four.", []),
    ("Who bought the remaining 4 packages?", "Sky picked up the remaining five.", ["4"]),
    ("Did costs fall by 10²?", "Costs fell.", ["10²"]),  # a digit that is no decimal number
    ("How tall is Mount Everest?", "Mountains are tall.", []),  # a name, not a superlative
    ("Which is the oldest vector?", "Vectors are old.", ["oldest"]),
    ("How many patients received the vector?", "Patients received the vector.", ["How many"]),
    ("How many patients received the vector?", "Twelve patients received it.", []),
    ("How many CRISPR therapies are approved?", "CRISPR-Cas9 therapies are approved.", ["How many"]),
    ("What percentage of batches fail?", "A quarter of batches fail.", []),
    ("How many outputs does each input have?", "A single output is expected.", []),
    ("Which company makes the vectors?", "Vectors are made by Oxford Biomedica.", []),
    ("Which company makes the vectors?", "Vectors are made in bioreactors. But batches vary.", ["Which company"]),
    ("What companies sell CRISPR therapies?", "Some CRISPR-edited therapies are sold.", ["What companies"]),
    ("What companies make vectors?", "| Lipid nanoparticles | Fatty particles |", ["What companies"]),
    ("Who assesses a patient?", "A qualified medical specialist does.", []),  # a role answers "who"
    # an age is held against the evidence's bounds, not looked for in it
    ("can my 10 year old get her own card", "Children under 13 need a parent to sign.", []),
    ("can my 10-year-old get her own card", "Anyone can get a card.", ["10"]),
    ("When was it unofficially launched?", "It was officially launched in 1998.", ["unofficially"]),
    ("When was it unofficially launched?", "It was officially launched in 1998, not before.", []),  # the evidence negates
    ("Who discovered the comet?", "The comet was covered by the press.", ["Who discovered"]),  # no "covered" negated
    ("Which country approved it first?", "It was first approved in recent years.", ["Which country"]),
    ("Which country approved it first?", "It was first approved in the United Kingdom.", []),
    ("Who discovered CRISPR?", "CRISPR was discovered in bacteria.", ["Who discovered"]),
    ("Who discovered CRISPR?", "CRISPR was discovered by Francisco Mojica.", []),
    # a contrast negates no statement; a last name and last yr are no superlatives
    ("how much do i pay for just the book, not the card", "A passport book costs $130.", []),
    ("Is it the book, not the card?", "A passport book costs $130.", ["not"]),
    ("does my last name matter if it changed last yr", "Send your marriage certificate.", []),
    ("and if they say no again?", "You can request a hearing.", []),  # an answer reported, no negation
    ("why not tho", "Type 2 diabetes is unlikely to be solved by gene therapy.", []),  # after "can it cure it?"
    # a turn that only tells a trouble tells its negation; asked, or bidden, a negation is a qualifier
    ("its not picking up the dirt anymore", "Robot leaves dirt behind: empty the dustbin.", []),
    ("why is it not picking up the dirt?", "Robot leaves dirt behind: empty the dustbin.", ["not"]),
    ("Name two creatures that did not appear in the film.", "Two creatures appeared in the film.", ["not"]),
    # "last" as a verb after a noun, and a bound said with "never less than" or "a maximum of"
    ("Did the improvement last or wear off?", "Benefits were maintained at 26 weeks.", []),
    ("Was the last one better or worse?", "Benefits were maintained at 26 weeks.", ["last"]),
    ("what is the shortest time in bed they allow", "The sleep window was never less than 5.5 hours.", []),
    ("what is the longest it can run", "It runs for a maximum of 150 minutes.", []),
    # a measure typed with its unit, held against a span the evidence states
    ("can i use the charger in the uk, 230v?", "Dock input   100-240 V AC, 50/60 Hz", []),
    ("can i use the charger at 300v?", "Dock input   100-240 V AC, 50/60 Hz", ["300v"]),
    ("What happened in 1916?", "The war lasted from 1914 to 1918.", []),
    ("who sang the theme of never ending story?", "The theme of The NeverEnding Story was sung by Limahl.", []),  # a name
    ("who sang a theme never ending?", "The theme was sung by Limahl.", ["never"]),
    # an ordinal as a word, a code written apart, a time span by a year within it
    ("Which song was the 2nd single?", "It was the second single from the album.", []),
    ("Which song was the 2nd single?", "It was the third single from the album.", ["2nd"]),
    ("What unit followed the BF110?", "The Bf 110 was followed by the Me 210.", []),
    ("Who found the electron in the late 1800's?", "In 1897, Thomson found it.", []),
    ("What opened in the 1980s?", "It opened in 1979.", ["1980s"]),
    ("When in the 15th century was the act passed?", "In 1424, the act was passed.", []),
    ("What treaty was signed in the 9th century?", "The treaty was signed in 911.", ["9th"]),
    ("What fell in the 15th year?", "In 1424, it fell.", ["15th"]),  # no century: the year says nothing of it
    ("How many fell in 2011?", "In all, 2,011 fell.", ["2011"]),  # a count is no year
    ("What stopped them on June 6th?", "On 6 June, the weather stopped them.", []),
    ("When was the 27th amendment proposed?", "The Twenty-seventh Amendment was proposed in 1789.", []),
    ("Who bought the remaining 27 packages?", "Sky picked up the remaining twenty-seven.", []),
    ("Who bought the remaining 27 packages?", "Sky picked up the remaining twenty-eight.", ["27"]),
    ("What stopped them on the 6th try?", "On try 6, the weather stopped them.", ["6th"]),
    ("What did critics think of Maroon 5's video?", "Critics liked Maroon 5 and their video.", []),
])  # fmt: skip
def test_evidence_may_say_a_qualifier_in_other_words(question: str, evidence: str, unsupported: list[str]) -> None:
    assert unsupported_qualifiers(question, evidence) == unsupported


def test_sentence_that_carries_on_from_the_best_comes_along_when_there_is_room(qa: QA) -> None:
    texts = [s.text for s in qa.ask("Are CRISPR-based therapies entering clinical use?").sentences]
    assert texts[0] == "CRISPR-based therapies are now entering clinical use."
    assert "But this technology is still maturing." in texts


def test_a_close_sentence_about_the_question_is_quoted_when_the_best_scored_one_is_not(qa: QA) -> None:
    question = "Why are gene therapy prices high?"
    ranked = rank(qa.store, question, qa.embedder.encode_query(question), tokens(question), qa.settings,
                  qa.topic_vector)  # fmt: skip
    best, top, low = ranked.sentences[0]
    # the next best-scored sentence that is more like the question than the best-scored one
    close, score, high = next(s for s in ranked.sentences[1:] if s[2] > low)
    keep = score / top - 0.001  # taken as close enough to the best score to be quotable
    texts = [s.text for s in _with(qa, min_dense=(low + high) / 2, keep_ratio=keep).ask(question).sentences]
    assert texts[0] == qa.store.sentences[close].text and qa.store.sentences[best].text not in texts
    texts = [s.text for s in _with(qa, min_dense=high + 0.01, keep_ratio=keep).ask(question).sentences]
    assert not {qa.store.sentences[best].text, qa.store.sentences[close].text} & set(texts)


def _topic_share_below(qa: QA, token: str) -> float:
    """A topic share just under the share of passages that use a token, so that it alone is a topic word."""
    return (qa.store.passages_using(token) - 0.5) / len(qa.store.passages)


def test_topic_words_are_the_question_words_most_passages_use(qa: QA) -> None:
    assert topic_words(qa.store, "Is gene editing precise?", _topic_share_below(qa, "gene")) == ["gene"]
    assert topic_words(qa.store, "Is gene editing precise?", 1.0) == []


def test_the_last_place_goes_to_the_sentence_most_like_the_question_beyond_its_topic(qa: QA) -> None:
    question = "Are gene therapy effects permanent?"
    plain, focused = _with(qa, topic_share=1.0), _with(qa, topic_share=_topic_share_below(qa, "gene"))
    focus = focused.evidence(question, []).focus
    assert plain.evidence(question, []).focus is None and focus is not None
    assert qa.store.sentence_vectors[focus] @ qa.embedder.encode_query(question) >= qa.settings.min_dense
    before = [s.text for s in plain.ask(question).sentences]
    answer = focused.ask(question)
    after = [s.text for s in answer.sentences]
    assert len(before) == len(after) == qa.settings.max_sentences
    assert after[:-1] == before[:-1] and after[-1] == qa.store.sentences[focus].text != before[-1]
    assert_verbatim_and_cited(qa, answer)


def test_the_focus_sentence_never_lengthens_a_short_answer(qa: QA) -> None:
    question = "What limits gene editing?"
    focused = _with(qa, topic_share=_topic_share_below(qa, "gene"))
    focus = focused.evidence(question, []).focus
    before = [s.text for s in _with(qa, topic_share=1.0).ask(question).sentences]
    after = [s.text for s in focused.ask(question).sentences]
    assert focus is not None and qa.store.sentences[focus].text not in before
    assert len(before) < qa.settings.max_sentences and after == before


def _with(qa: QA, **settings: float) -> QA:
    return QA(qa.store, qa.embedder, qa.settings.model_copy(update=settings))


def test_follow_up_is_resolved_from_history(qa: QA) -> None:
    answer = qa.ask("Is it still maturing?", history=["What is CRISPR?"])
    assert answer.answered and "CRISPR" in answer.query
    assert answer.sentences[0].text == "But this technology is still maturing."
    assert_verbatim_and_cited(qa, answer)


@pytest.mark.parametrize(("question", "query"), [
    ("Tell me more", "Tell me more (CRISPR)"),  # no word of its own: tell and more phrase it, me is commonest
    ("Any risks?", "Any risks? (CRISPR)"),
    ("What are base editors?", "What are base editors?"),  # stands on its own
])  # fmt: skip
def test_a_follow_up_with_no_word_of_its_own_takes_the_earlier_topic(question: str, query: str) -> None:
    assert resolve(question, ["What is CRISPR?"]) == query


def test_sentence_that_points_back_brings_its_neighbour(qa: QA) -> None:
    answer = qa.ask("Is CRISPR technology still maturing?")
    texts = [s.text for s in answer.sentences]
    assert texts[0] == "But this technology is still maturing."
    assert texts[1] == "CRISPR-based therapies are now entering clinical use."


@pytest.mark.parametrize(("question", "kind"), [
    ("When was the first therapy approved?", "date"),
    ("In Europe, when was it approved?", "date"),
    ("What is it called when a vector integrates?", None),  # "when" inside the question asks no date
    ("How many patients were treated?", "number"),
    ("how heavy is it?", "number"),  # a measure: weight, height, speed, loudness, price ...
    ("how loud does it get on spin", "number"),
    ("how do I carry it?", None),
    ("Who developed CRISPR?", "name"),
    ("Why were rare diseases treated first?", "reason"),
    ("how come it wears off", "reason"),
])  # fmt: skip
def test_what_kind_of_answer_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_for(question) == kind


@pytest.mark.parametrize(("sentence", "gives"), [
    ("They were early targets because the genetic cause is well understood.", True),
    ("Benefit diminishes over time as a result of cell turnover.", True),
    ("Rare childhood diseases have also seen approvals.", False),
])  # fmt: skip
def test_a_reason_is_given_by_a_sentence_that_says_what_causes_it(sentence: str, gives: bool) -> None:
    assert answer_type_match("reason", frozenset(), sentence) is gives


# A second, tiny corpus for what tests/data does not hold: one sentence in two documents, a sentence that is a
# question, acronyms and their spelled-out forms, and advice to see a specialist.
TWINS = {
    "notes/base.txt": "Base editing\n\nBase editors change a single DNA letter without cutting both strands. What is "
    "a base editor? The answer depends on the enzyme that is used.\nThe European Medicines Agency reviews every "
    "base-editing trial before it starts.\n",
    "notes/copy.txt": "Editing notes\n\nBase editors change a single DNA letter without cutting both strands. Prime "
    "editors rewrite longer stretches of DNA.\nTrials in the NHS are paid for by the state.\nWhether a "
    "treatment suits a particular patient can only be judged after an individual assessment by a qualified "
    "medical specialist.\n",
    "papers/sma.md": "# Outcomes of gene therapy in SMA\n\n## Results\n\nLiver enzymes rose in 12 of 48 children after "
    "the infusion and returned to normal with corticosteroids.\n\n## References\n\n1. Chand D, et al. Hepatotoxicity "
    "following administration of onasemnogene abeparvovec for spinal muscular atrophy. J Hepatol. 2021;74:560-566.\n",
    "papers/trial.md": "# Safety and Efficacy of Once-Weekly Oral Semaglutide Versus Placebo in Adults With Type 2 "
    "Diabetes Inadequately Controlled on Metformin: A Randomized Trial\n\n## Methods\n\nAdults aged 18 to 75 years "
    "with type 2 diabetes were randomly assigned to oral semaglutide or placebo. Patients on insulin were ineligible. The primary endpoint was the change in "
    "glycated hemoglobin at week 26.\n\n## Results\n\nGlycated hemoglobin fell by 1.1 percentage points with "
    "semaglutide and by 0.2 points with placebo. Nausea was the most common adverse event.\n\n## Funding\n\nThe "
    "trial was funded by Northbridge Pharmaceuticals, which had no role in the analysis.\n",
    "manuals/dishwasher.txt": "Dishwasher manual\n\nE1 - Water inlet fault\nCause: The appliance has not filled with "
    "water within 10 minutes.\nSolution: Open the water tap fully and straighten the inlet hose.\n\nE6 - Door not "
    "closed\nCause: An item is blocking the door.\nSolution: Push the baskets in and close the door firmly.\n",
}


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> QA:
    return engine_over(tmp_path_factory.mktemp("twins"), TWINS, embedder)


def test_an_answer_carries_a_confidence_between_0_and_1(qa: QA) -> None:
    answer = qa.ask("What does CRISPR allow scientists to do?")
    assert answer.answered and answer.confidence is not None and 0.0 <= answer.confidence <= 1.0
    assert answer.to_dict()["confidence"] == answer.confidence


@pytest.mark.parametrize("question", ["Tell me a joke", "Is Zolgensma approved for dividing cells?"])
def test_an_abstention_carries_no_confidence(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert not answer.answered and answer.confidence is None


def test_a_refused_low_confidence_answer_abstains(qa: QA) -> None:
    question = "What does CRISPR allow scientists to do?"
    confidence = qa.ask(question).confidence
    assert not _with(qa, answer_threshold=min(1.0, confidence + 1e-3)).ask(question).answered


def test_the_same_sentence_in_two_documents_is_quoted_once(twins: QA) -> None:
    answer = twins.ask("What do base editors change?")
    texts = [" ".join(s.text.split()) for s in answer.sentences]
    assert answer.answered and texts[0].startswith("Base editors change a single DNA letter")
    assert len(texts) == len(set(texts))
    assert {s.citation for s in answer.sentences} == {c.id for c in answer.citations}
    assert_verbatim_and_cited(twins, answer)


def test_a_sentence_that_is_a_question_is_never_quoted(twins: QA) -> None:
    answer = twins.ask("What is a base editor?")
    assert answer.answered and not any(s.text.rstrip().endswith("?") for s in answer.sentences)


@pytest.mark.parametrize(("text", "whole_block", "expected"), [
    ("What is a base editor?", False, True),
    ("12", True, True),
    ("Page 3 of 9", False, True),
    ("Gene delivery", True, True),  # a bare title: a paragraph of its own, short, no final punctuation
    ("Gene delivery", False, False),  # a piece of a longer paragraph
    ("Stand by Me (song)", True, True),  # a title's last words in brackets finish no sentence
    ("True Grit (1969 film)", True, True),
    ("Lentiviruses integrate (in most cases.)", True, False),
    ("(Figure 2)", True, True),
    ("Lentiviruses integrate into the genome.", True, False),
    ("Problem: The dishes are not dry.", False, True),  # the question a troubleshooting entry answers
    ("Q: Can I wash pans?", False, True),
    ("Cause: The rinse aid dispenser is empty.", False, False),
])  # fmt: skip
def test_questions_titles_and_page_numbers_are_unquotable(text: str, whole_block: bool, expected: bool) -> None:
    assert unquotable(text, whole_block) is expected


@pytest.mark.parametrize("question", ["what is crispr cas9?", "What is CRISPR Cas9?", "what is crisprcas9?",
                                      "Who made CRISPRCas9?", "Is cas-9 precise?"])  # fmt: skip
def test_lowercase_and_hyphen_variants_of_a_corpus_term_are_not_missing(qa: QA, question: str) -> None:
    found = qa.evidence(question, [])
    assert found.missing == [] and "cas9" in tokens(found.query)


@pytest.mark.parametrize(("question", "missing"), [("When was the 1st CRISPR therapy approved?", []),
                                                 ("When was the 3rd CRISPR therapy approved?", ["3rd"])])  # fmt: skip
def test_a_number_the_documents_spell_out_is_not_missing(article: QA, question: str, missing: list[str]) -> None:
    assert "first" in article.store.words and "third" not in article.store.words
    assert article.evidence(question, []).missing == missing


@pytest.mark.parametrize("question", ["When does the EMA review a trial?",
                                      "Who pays for trials in the National Health Service?",
                                      "What are the AAVs' limits?"])  # fmt: skip
def test_an_acronym_or_its_spelled_out_form_in_the_documents_is_not_missing(twins: QA, qa: QA, question: str) -> None:
    engine = qa if "AAV" in question else twins
    assert engine.evidence(question, []).missing == []


def test_a_negated_word_is_searched_as_the_documents_say_it_in_one_word(twins: QA) -> None:
    # Neither the stem nor the vector links "not eligible" to "ineligible".
    assert negated_tokens(twins.store, "Who was not eligible for the trial?") == [stem("ineligible")]
    assert negated_tokens(twins.store, "Who was eligible for the trial?") == []
    answer = twins.ask("Who might not be eligible for the semaglutide trial?")
    assert "Patients on insulin were ineligible." in [s.text for s in answer.sentences]


def test_an_acronym_the_documents_never_spell_out_is_missing(twins: QA) -> None:
    answer = twins.ask("When does the FDA review a trial?")
    assert not answer.answered and answer.missing_terms == ["FDA"]


@pytest.mark.parametrize(("question", "history", "query"), [
    ("What about lentiviruses?", ["What is the capacity of AAV?"], "What is the capacity of lentiviruses?"),
    ("And what about plasmids?", ["What is the capacity of AAV?", "What about lentiviruses?"],
     "What is the capacity of plasmids?"),
    ("What about AAV?", [], "What about AAV?"),
    # A turn that only qualifies the earlier question asks it again, qualified.
    ("what about for kids?", ["Can gene therapy treat rare diseases?"], "Can gene therapy treat rare diseases for kids?"),
    ("And in adults?", ["Can gene therapy treat rare diseases?"], "Can gene therapy treat rare diseases in adults?"),
    ("In what year?", ["When was CRISPR approved?"], "In what year? (CRISPR approved)"),  # asks something of its own
])  # fmt: skip
def test_what_about_asks_the_earlier_question_of_another_subject(question: str, history: list[str],
                                                                 query: str) -> None:  # fmt: skip
    assert resolve(question, history) == query


ADVICE = TWINS["notes/copy.txt"].splitlines()[-1]


@pytest.mark.parametrize("question", ["Should I try base editing?", "Is base editing right for my son?",
                                      "Which doctor should treat my condition?"])  # fmt: skip
def test_a_personal_question_is_answered_with_the_documents_advice_to_see_a_specialist(twins: QA,
                                                                                        question: str) -> None:  # fmt: skip
    answer = twins.ask(question)
    assert answer.answered and [s.text for s in answer.sentences] == [ADVICE]
    assert answer.confidence is not None


GUIDE = """Gene therapy

Gene therapy modifies the genetic material inside a person's cells.

Gene therapy is delivered by vectors, most often modified viruses.

Prior exposure to certain viruses can make some patients ineligible for gene therapy.

Gene therapy prices are among the highest of any medical treatment.

Whether a treatment is right for a particular patient requires an individual assessment by a qualified medical specialist.
"""


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> QA:
    return engine_over(tmp_path_factory.mktemp("guide"), {"guide.txt": GUIDE}, embedder)


@pytest.mark.parametrize(("question", "fact"), [
    ("My daughter had a virus before, can she still get gene therapy?", "Prior exposure to certain viruses"),
    ("How much would gene therapy cost for my son?", "Gene therapy prices are among the highest"),
    ("Is gene therapy right for my son?", None),  # the two views of the question differ: the advice alone
    ("Should I get gene therapy?", None),
])  # fmt: skip
def test_a_personal_question_gets_the_advice_and_the_fact_both_views_of_it_agree_on(guide: QA, question: str,
                                                                                   fact: str | None) -> None:  # fmt: skip
    answer = guide.ask(question)
    quoted = [s.text for s in answer.sentences]
    assert answer.answered and quoted[0] == GUIDE.splitlines()[-1]  # the advice first
    assert quoted[1:] == [] if fact is None else len(quoted) == 2 and quoted[1].startswith(fact)


def test_a_first_question_given_the_documents_subject_is_ranked_by_its_own_words_and_as_searched(guide: QA) -> None:
    # The subject found the documents; the question is read both with it and by its own words.
    question = "is it expensive?"
    found = guide.evidence(question, [])
    assert found.query == "is it expensive? (gene therapy)" and found.ranked.sentences
    own = rank(guide.store, question, guide.embedder.encode_query(question), tokens(question), guide.settings,
               guide.topic_vector, guide.selector)  # fmt: skip
    searched = rank(guide.store, found.query, guide.embedder.encode_query(found.query), tokens(found.query),
                    guide.settings, guide.topic_vector, guide.selector)  # fmt: skip
    alone, with_subject = ({sid: p for sid, p, _ in r.sentences} for r in (own, searched))
    for sid, p, _ in found.ranked.sentences:
        assert p == pytest.approx((alone.get(sid, 0.0) + with_subject.get(sid, 0.0)) / 2)
    assert guide.ask(question).sentences[0].text.startswith("Gene therapy prices")


@pytest.mark.parametrize(("question", "asks_advice"), [
    ("Should he get gene therapy?", True),
    ("can she still get gene therapy", True),
    ("how do i find out if gene therapy would work for me", True),
    ("could this help him?", True),  # asked after "My dad has a rare disease."
    ("am I a candidate for it", True),
    ("is gene therapy worth it for me", True),
    ("what are my options", True),
    ("Who is eligible for gene therapy?", False),
    ("Can gene therapy help people with hemophilia?", False),
    ("How do they get the genes into cells?", False),  # "they" are whoever does it
    ("Are there gene therapies for children with eye diseases?", False),
    ("can my body react badly to it", False),  # a fact of the treatment, asked of a body
])  # fmt: skip
def test_a_question_asks_advice_by_what_it_asks_of_the_askers_case(question: str, asks_advice: bool) -> None:
    assert personal(question) is asks_advice


def test_a_personal_question_on_what_the_documents_never_speak_of_gets_no_advice(guide: QA) -> None:
    answer = guide.ask("how often should i get a flu shot")  # near no sentence of a text on gene therapy
    assert not answer.answered and answer.answer == NO_ANSWER
    assert guide.ask("Should I get gene therapy?").answered  # the advice, where it is the documents' matter


def test_a_fact_asked_after_a_personal_situation_is_answered_with_the_fact(guide: QA) -> None:
    answer = guide.ask("My son has a rare disease. How is gene therapy delivered?")
    assert answer.answered and answer.sentences[0].text.startswith("Gene therapy is delivered by vectors")


def test_a_personal_question_without_advice_in_the_documents_abstains(qa: QA) -> None:
    answer = qa.ask("Should I get CRISPR therapy for my son?")
    assert not answer.answered and answer.answer == NO_ANSWER


@pytest.mark.parametrize("question", ["Should I grow my viral vectors in bioreactors?",
                                      # a medical situation told, a question on another matter asked
                                      "My doctor says my illness is rare. Where are viral vectors grown?"])  # fmt: skip
def test_a_personal_question_on_no_medical_matter_is_answered_where_the_documents_give_no_advice(qa: QA,
                                                                                                 question: str) -> None:  # fmt: skip
    answer = qa.ask(question)
    assert answer.answered and "bioreactors" in answer.sentences[0].text
    assert_verbatim_and_cited(qa, answer)


def test_what_a_turn_tells_before_its_question_names_no_missing_term(qa: QA) -> None:
    told = qa.ask("I work for Acme in Ohio. Where are viral vectors grown?")
    assert told.answered and "bioreactors" in told.sentences[0].text and told.missing_terms == []
    asked = qa.ask("Where are viral vectors grown in Ohio?")
    assert not asked.answered and asked.missing_terms == ["Ohio"]


@pytest.mark.parametrize(("turn", "asked"), [
    ("I work for Acme in Ohio. Where are viral vectors grown?", "Where are viral vectors grown?"),
    ("I moved last month. How do I change my address?", "How do I change my address?"),
    ("What is CRISPR?", "What is CRISPR?"),
    ("I lost my card", "I lost my card"),
    ("Is it expensive? (gene therapy)", "Is it expensive? (gene therapy)"),
    ("I work at Walmart in Dallas and want to know if I can get unemployment", "want to know if I can get unemployment"),
    ("Hi, my name is Jessica Alvarez, I need to renew my licence", "Hi I need to renew my licence"),
    ("I work at Walmart, can I get unemployment?", "can I get unemployment?"),
    ("Does Walmart pay unemployment?", "Does Walmart pay unemployment?"),
    ("What are the risks of AAV and lentiviruses?", "What are the risks of AAV and lentiviruses?"),
    ("hello i was fired by Amazon last week, what are my options", "what are my options"),
    ("im 58, do i need an eye exam", "do i need an eye exam"),  # "im" typed without its apostrophe
    # told clauses go on until one asks, and "and" between two names joins no clauses
    ("I take Zolgensma, Spinraza and Evrysdi, can I get gene therapy?", "can I get gene therapy?"),
    ("I read about Zolgensma and Spinraza", "I read about Zolgensma and Spinraza"),
    ("We take Zolgensma and want to know the risks", "want to know the risks"),
    # a question mark ends what is asked, typed in lowercase or not; a told clause's "when" asks nothing
    ("can my daughter get her own too? shes 9", "can my daughter get her own too?"),
    ("my last name changed when i got married, is that a problem?", "is that a problem?"),
    ("I want to know when it opens", "I want to know when it opens"),
    # what is told of whom the conversation is about
    ("he's not great with computers, can he send in a paper form?", "can he send in a paper form?"),
    # an opening clause that tells what the asker is doing, without the I; a trailing one qualifies the question
    ("going away for 2 months, what should i do with the robot", "what should i do with the robot"),
    ("Who was killed, leading to the July Crisis?", "Who was killed leading to the July Crisis?"),
    ("Turing machines are employed to define what?", "Turing machines are employed to define what?"),
    ("During 1916, who led the army?", "During 1916 who led the army?"),
    # a clause with its verb before its subject asks, with no question mark or question word
    ("we're going to mexico with my 2 kids (8 and 11). theirs expired, can i renew the kids passports by mail",
     "can i renew the kids passports by mail"),
])  # fmt: skip
def test_the_asked_part_of_a_turn_is_its_questions(turn: str, asked: str) -> None:
    assert asked_part(turn) == asked


@pytest.mark.parametrize(("question", "standalone"), [
    ("How do honeybees find their way home?", True),  # "their" is the honeybees'
    ("How does CRISPR compare to its predecessors?", True),
    ("What are its side effects?", False),
    ("Is it still maturing?", False),
    # any pointer after more than two of the question's own words points to them
    ("I never had a drivers license and need some photo ID. Do I pay for it?", True),
    ("Does CRISPR cost more than it?", False),
    # words of chat name nothing: "oh crap ok" leaves two everyday words that lean on the conversation
    ("oh crap ok, what do i need to bring", False),
])  # fmt: skip
def test_a_pointer_after_the_questions_own_subject_does_not_point_back(question: str, standalone: bool) -> None:
    earlier = "How fast do zebrafish regrow heart muscle?"
    assert (resolve(question, [earlier]) == question) is standalone


@pytest.mark.parametrize(("question", "history", "query"), [
    # An earlier turn that names three things of its own is the conversation's subject, even where it points too.
    ("What do I need for that?", ["Hi, I need to renew my license. Can I do it online?"],
     "What do I need for that? (Hi, I need to renew my license. Can I do it online)"),
    # One or two everyday words of its own lean on the conversation; a rarer word stands alone.
    ("How do I apply?", ["How are unemployment benefits paid?"], "How do I apply? (unemployment benefits paid)"),
    ("What is electroporation?", ["What is CRISPR?"], "What is electroporation?"),
    # The subject takes the place of the pointer that agrees with it in number: "they" are the ones who deliver.
    ("and how do they deliver it?", ["What is gene therapy?"], "and how do they deliver gene therapy?"),
    ("How are they made?", ["What are viral vectors?"], "How are viral vectors made?"),
    ("how do they treat it?", ["What is a herpes virus?"], "how do they treat a herpes virus?"),  # virus: no plural
    # "what about X?" where X itself points back is resolved as any pointing question.
    ("what about its safety?", ["What is CRISPR?"], "what about its safety? (CRISPR)"),
    # The subject is the thing the earlier question asks the asker may do something to, not the asker.
    ("how long does it last", ["how do I apply for unemployment?"], "how long does unemployment last"),
    ("whats the longest i can delay it", ["how do i set the delay start"], "whats the longest i can delay the delay start"),
    ("is there a maximum amount", ["what's the deadline to apply?"], "is there a maximum amount (the deadline to apply)"),
    # An opening turn in everyday words still names the conversation's subject; a repeated one adds nothing.
    ("which cancers is it for", ["what is car-t therapy"], "which cancers is car-t therapy for"),
    ("How do I apply?", ["How do I apply?"], "How do I apply?"),
    ("how do i fix it", ["what does error E2 mean"], "how do i fix error E2"),
    # "what about my son?" asks the earlier question for him (what follows a comma tells about him)
    ("ok. what about my son, hes 12", ["Can I renew by mail?"], "Can I renew by mail for my son?"),
    # a person's pronoun never stands for a thing: "she" is no state ID card, which is added as context
    ("Can she apply online?", ["What is a state ID card?"], "Can she apply online? (a state ID card)"),
    # "what about X, <a question of its own>": that question, asked of X
    ("what about the photo, can i wear glasses in it", ["is a photocopy ok"], "can i wear glasses in the photo"),
    ("what about the fee, is there a discount", ["Can I renew by mail?"], "is there a discount (the fee)"),
    ("oh what about for kids?", ["can gene therapy treat rare diseases"], "can gene therapy treat rare diseases for kids?"),
])  # fmt: skip
def test_a_follow_up_takes_the_conversations_subject(question: str, history: list[str], query: str) -> None:
    assert resolve(question, history) == query


@pytest.mark.parametrize(("question", "evidence"), [
    ("what is crispr-cas9", "CRISPR-Cas9 and its successor technologies have transformed gene editing."),
    ("Who might not be eligible for gene therapy?", "Prior exposure can make some patients ineligible."),
])  # fmt: skip
def test_a_qualifier_said_in_another_case_or_by_a_negating_prefix_is_supported(question: str, evidence: str) -> None:
    assert unsupported_qualifiers(question, evidence) == []


@pytest.mark.parametrize(("question", "evidence", "unsupported"), [
    ("whats the longest i can delay it", "You can delay the start of a programme by 1 to 24 hours.", []),
    ("what is the earliest I can apply", "You can apply at least 3 months before you move.", []),
    ("How long can I get benefits at the longest?", "Benefits are paid for up to 26 weeks.", []),
    # a bound says nothing of which one is the largest, nor a word that merely names a maximum
    ("What is the largest city?", "Cities of 2 to 3 million people.", ["largest"]),
    ("what cat has the longest life span", "Maximum life span is the longest observed in a population.", []),
    ("what cat has the longest life span", "Maximum life span is a measure of survival.", ["longest"]),
])  # fmt: skip
def test_a_superlative_of_extent_is_said_by_a_bound(question: str, evidence: str, unsupported: list[str]) -> None:
    assert unsupported_qualifiers(question, evidence) == unsupported


def test_a_short_word_with_a_prefix_says_no_negation() -> None:
    assert unsupported_qualifiers("What is not in the house?", "He walked into the house.") == ["not"]


def test_the_term_checks_read_the_versions_acronyms_and_the_text_where_a_version_kept_none(qa: QA) -> None:
    from dataclasses import replace

    from server.answer.terms import _Forms

    kept = _Forms(qa.store).acronyms
    assert kept is qa.store.acronyms and _Forms(replace(qa.store, acronyms=None)).acronyms == set(kept)


@pytest.mark.parametrize("word", ["aav", "crispr", "uk", "nhs", "ema", "fda", "ww2", "qxz"])
def test_the_initials_a_version_keeps_find_what_reading_all_of_the_text_finds(twins: QA, qa: QA, word: str) -> None:
    from dataclasses import replace

    from server.answer.terms import _Forms

    for store in (twins.store, qa.store):
        assert store.initials is not None
        assert _Forms(store).spelled(word) == _Forms(replace(store, initials=None)).spelled(word)


def test_a_word_typed_as_one_is_found_written_apart_in_the_passages_holding_its_parts(qa: QA) -> None:
    from server.answer.terms import _Forms

    forms = _Forms(qa.store)
    assert forms.written_apart("geneediting") and forms.written_apart("viralvectors")
    assert not forms.written_apart("editinggene") and not forms.written_apart("vectorsviral")


def test_a_follow_up_that_leans_on_the_conversation_is_answered_from_its_document(qa: QA) -> None:
    history = ["What do Phase II trials measure?"]
    found = qa.evidence("And how many people take part?", history)
    assert {qa.store.passages[pid].doc_id for pid, _ in found.ranked.passages} == {"trials.html"}
    # a question of its own is searched over every document, whatever came before
    found = qa.evidence("How do viral vectors and CRISPR editing differ?", history)
    assert len({qa.store.passages[pid].doc_id for pid, _ in found.ranked.passages}) > 1


def test_the_conversations_document_is_the_one_its_earlier_answer_quoted(qa: QA) -> None:
    # The best passage for the opening turn is editing.txt's; the sentence ranked best, and quoted, is vectors.md's
    # on adeno-associated viruses: the follow-up asks about those viruses.
    opening = "I have a question about viruses"
    first = qa.ask(opening)
    assert first.answered and first.citations[first.sentences[0].citation - 1].source == "vectors.md"
    found = qa.evidence("Do they integrate?", [opening])
    assert {qa.store.passages[pid].doc_id for pid, _ in found.ranked.passages} == {"vectors.md"}


def test_a_turn_that_only_tells_asks_nothing_of_its_own_in_a_conversation() -> None:
    assert asked_part("I just moved here from Texas", follows=True) == ""
    assert asked_part("I just moved here from Texas") == "I just moved here from Texas"


def test_an_entry_of_a_list_of_references_is_never_quoted(twins: QA) -> None:
    store = twins.store
    entries = [sid for sid in range(len(store.sentences)) if "Hepatotoxicity following" in store.sentences[sid].text]
    assert entries and not any(quotable_shape(store, sid) for sid in entries)
    question = "How common is hepatotoxicity after onasemnogene abeparvovec?"
    answer = twins.ask(question)
    assert answer.answered and all(q.text not in store.documents["papers/sma.md"].split("## References")[1] for q in answer.sentences)
    # nor does the list take the place of a passage that can answer among the best (or the passages to read instead)
    listed = {int(store.sentence_passage[sid]) for sid in entries}
    assert not listed & {pid for pid, _ in twins.evidence(question, []).ranked.passages}


def test_in_the_conversations_document_the_turns_own_words_choose_the_sentence(qa: QA) -> None:
    # The earlier turn's subject picks the document; searched with it, the earlier answer would come first again.
    answer = qa.ask("How much time is needed?", ["Where are viral vectors grown?"])
    assert answer.answered and "several months" in answer.sentences[0].text
    assert answer.query == "How much time is needed? (viral vectors grown)"


@pytest.mark.parametrize(("question", "words"), [("Who was in the semaglutide trial?", "Adults aged 18 to 75"),
                                               ("Who funded it?", "funded by Northbridge")])  # fmt: skip
def test_a_papers_sentence_is_found_by_what_it_says_not_by_the_papers_long_title(twins: QA, question: str,
                                                                                words: str) -> None:  # fmt: skip
    # Embedded under the paper's 20-word title, each of its sentences was about as near the question as the next:
    # the first was answered with the funding sentence, the second refused.
    answer = twins.ask(question)
    assert answer.answered and words in answer.sentences[0].text


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> QA:
    """The article Verbatim ships with: every one of its passages is on gene therapy."""
    root = tmp_path_factory.mktemp("article")
    shutil.copytree(Path(__file__).resolve().parents[3] / "corpus", root / "corpus")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build(settings, embedder=embedder)
    return open_qa(settings, embedder)


def test_the_topic_of_the_retrieved_passages_is_the_question_words_most_of_them_hold(article: QA) -> None:
    question = "How expensive is gene therapy?"
    query = article.embedder.encode_query(question)
    passages = rank_passages(article.store, query, tokens(question), article.settings)
    assert retrieved_topic(article.store, question, tokens(question), passages, article.settings) == ["gene", "therapy"]
    aim = beyond(query, article.topic_vector("gene therapy"))
    assert abs(float(aim @ article.topic_vector("gene therapy"))) < 1e-5 and abs(np.linalg.norm(aim) - 1) < 1e-5


def test_a_word_that_only_hedges_the_question_chooses_no_sentence(article: QA) -> None:
    # searched with "actual", the sentence on what gene therapy "actually is" came first
    answer = article.ask("how do doctors actually deliver the genes")
    assert answer.answered and "deliver" in answer.sentences[0].text and "actually" not in answer.sentences[0].text


def test_in_a_text_on_one_topic_the_sentence_on_what_is_asked_beyond_it_comes_first(article: QA) -> None:
    # Every sentence is near "gene therapy"; ranked without the topic's direction, the one on curing disease wins
    # ("Gene therapy is not one treatment ..." came first before).
    answer = article.ask("Has gene therapy cured disease?")
    assert answer.answered and "do not signal that genetic medicine has solved disease" in answer.sentences[0].text


def test_a_qualifier_said_by_the_heading_a_sentence_stands_under_is_supported(twins: QA) -> None:
    # "E1" is only in the heading "E1 - Water inlet fault" above the sentences on its cause and solution.
    answer = twins.ask("What does error E1 mean?")
    assert answer.answered and "not filled with water" in answer.sentences[0].text


def test_what_the_documents_are_about_is_the_words_most_passages_use(article: QA) -> None:
    assert corpus_subject(article.store, article.settings.topic_share) == "gene therapy"
    assert corpus_subject(article.store, 1.0) == ""


def test_documents_on_two_subjects_have_none_though_the_longer_fills_most_passages(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> None:
    care = "\n\n".join(f"## Part {n}\n\nThe child care assistance program {what}." for n, what in enumerate(
        ["pays providers monthly", "has a waiting list", "needs proof of income", "lasts twelve months",
         "takes appeals within 30 days"]))  # fmt: skip
    passport = "# Passports\n\nYou can renew a passport by mail.\n\n## Fees\n\nA passport book costs $130.\n"
    qa = engine_over(tmp_path_factory.mktemp("two"), {"care.md": care, "passport.md": passport}, embedder)
    assert corpus_subject(qa.store, qa.settings.topic_share) == ""
    assert qa.ask("Can I renew it by mail?").query == "Can I renew it by mail?"  # not "(child care assistance ...)"


def test_a_first_question_pointing_at_its_subject_asks_about_what_the_documents_are_about(article: QA) -> None:
    # Without the subject, "how much does it cost" is near no sentence of the article (0.17 to the one on price).
    answer = article.ask("How much does it cost?")
    assert answer.query == "How much does it cost? (gene therapy)"
    assert answer.answered and "price tags" in answer.sentences[0].text
    assert article.ask("How much does gene therapy cost?").query == "How much does gene therapy cost?"
    assert article.ask("How much does it cost?", ["What is CRISPR?"]).query != answer.query  # the conversation's
    bare = article.ask("cost?")  # a word or two naming only what is asked of the documents' subject
    assert bare.query == "cost? (gene therapy)" and bare.answered and "price tags" in bare.sentences[0].text


@pytest.mark.parametrize(("question", "answered"), [
    ("Is it painful?", False),  # no word of its own the article says, and no sentence like it
    ("Who invented it?", False),
    ("Does it last forever?", True),  # "forever" is no word of the article, "long-lasting effects" is like it
    ("What is it?", True),
    ("Is it expensive?", True),  # "expensive" is no word of the article, "cost" of its best passages means it
    ("Is it vegan?", False),
])  # fmt: skip
def test_a_first_question_pointing_at_the_documents_subject_is_foreign_for_its_own_words(article: QA, question: str,
                                                                                         answered: bool) -> None:  # fmt: skip
    answer = article.ask(question)
    assert answer.query.endswith("(gene therapy)") and answer.answered is answered


GUIDES = {
    "disability.md": "# Disability benefits\n\nYou may qualify for disability benefits if a medical condition keeps you "
    "from working for at least 12 months.\n\n## Applying\n\nYou can apply online or by phone. Have your medical records "
    "and the names of your doctors ready.\n",
    "state-id.md": "# State ID cards\n\nAny resident who does not hold a driver's license can apply for a state ID card. "
    "Bring proof of identity, such as a birth certificate or passport, to a service center.\n\n## Fees\n\nAn ID card "
    "costs $18. Applicants who receive disability benefits get their ID card free of charge.\n",
}


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> QA:
    return engine_over(tmp_path_factory.mktemp("guides"), GUIDES, embedder)


@pytest.mark.parametrize(("question", "source", "words"), [
    # stands alone, yet names nothing the conversation's guide lacks: answered from it
    ("what paperwork do i need to bring with me", "disability.md", "medical records"),  # not "Bring proof of ..."
    # names what only another guide says: answered from that one
    ("also my son needs a state id, does he need his birth certificate?", "state-id.md", "birth certificate"),
])  # fmt: skip
def test_a_follow_up_that_stands_alone_stays_with_the_conversations_document_unless_it_names_another(
    guides: QA, question: str, source: str, words: str
) -> None:
    answer = guides.ask(question, ["I had a stroke and can't work anymore. Can I get disability benefits?"])
    first = answer.sentences[0]
    assert answer.citations[first.citation - 1].source == source and words in first.text


@pytest.mark.parametrize(("text", "searched"), [
    ("Can I get one if I hold a driver's licence?", "Can I get one if I hold a driver's license?"),
    ("Licence holders", "License holders"),
    ("Do I need my medical records?", "Do I need my medical records?"),  # the documents' own spelling
])  # fmt: skip
def test_a_word_the_documents_spell_the_other_way_is_searched_as_they_spell_it(guides: QA, text: str,
                                                                              searched: str) -> None:  # fmt: skip
    assert respelt(guides.store, text) == searched


def test_a_word_saying_again_what_the_documents_say_is_theirs(guides: QA) -> None:
    assert not foreign(guides.store, "do i need to reapply every year")  # "You can apply online"
    assert foreign(guides.store, "can i refinance")  # "finance" is no word of theirs either


def test_a_follow_up_leaning_on_the_conversation_moves_to_the_document_about_what_it_names(guides: QA) -> None:
    # "he" leans on the conversation; "card" is what the state ID guide is about, and the disability guide never says
    answer = guides.ask("can he get a card too?", ["My husband had a stroke. Can he get disability benefits?"])
    first = answer.sentences[0]
    assert answer.citations[first.citation - 1].source == "state-id.md"
    stays = guides.ask("how does he apply?", ["My husband had a stroke. Can he get disability benefits?"])
    assert stays.citations[stays.sentences[0].citation - 1].source == "disability.md"


def test_a_follow_up_naming_another_documents_subject_in_two_everyday_words_moves_there(guides: QA) -> None:
    history = ["I had a stroke and can't work anymore. Can I get disability benefits?"]
    answer = guides.ask("i never had a drivers license. how much does an id card cost for me?", history)
    first = answer.sentences[0]
    assert answer.citations[first.citation - 1].source == "state-id.md" and "$18" in first.text


def test_a_turn_leaning_on_one_that_stayed_with_the_conversations_document_stays_there_too(guides: QA) -> None:
    history = ["I had a stroke and can't work anymore. Can I get disability benefits?",
               "what paperwork do i need to bring with me"]  # stands alone, answered from the disability guide
    answer = guides.ask("can i do that online?", history)
    first = answer.sentences[0]
    assert answer.citations[first.citation - 1].source == "disability.md" and "online" in first.text


TROUBLESHOOTING = """Washer manual

6 Troubleshooting

6.1 Problems without an error code

The laundry is still very wet after the programme.
Cause: The load was unbalanced, so the machine reduced the spin speed.
Solution: Add a few more items of different sizes and run Spin again. Also clean the drain pump filter.

The machine smells unpleasant.
Cause: Residues of detergent have built up in the drum.
Solution: Run the Drum Clean programme once a month.

6.2 Error codes

E10 - Water inlet error
Cause: The machine could not fill with water within 8 minutes.
Solution: Open the tap fully and straighten the inlet hose. Then press Start to continue.

E21 - Drain error
Cause: The water was not pumped out within 6 minutes.
Solution: Clean the drain pump filter.
"""


@pytest.fixture(scope="module")
def washer(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> QA:
    return engine_over(tmp_path_factory.mktemp("washer"), {"manual.txt": TROUBLESHOOTING}, embedder)


def test_a_measure_typed_with_a_unit_the_documents_use_is_no_missing_term(tmp_path: Path, embedder: Embedder) -> None:
    qa = engine_over(tmp_path, {"specs.md": "# Specifications\n\nDock input: 100-240 V AC, 50/60 Hz.\n"}, embedder)
    assert missing_terms(qa.store, "can i use the charger in the uk, 230v?", 2.0) == []
    assert missing_terms(qa.store, "does it take 12mph?", 2.0) == ["12mph"]  # a unit the documents never use
    answer = qa.ask("can i use the charger in the uk, 230v?")  # whatever it answers, it never says "230v" is unsaid
    assert answer.missing_terms == [] and "230v" not in answer.answer


def test_a_problem_a_manual_states_is_answered_by_the_lines_labelled_as_its_cause_and_solution(washer: QA) -> None:
    answer = washer.ask("clothes still soaking wet after the wash finished")
    assert [s.text.split(":")[0] for s in answer.sentences] == ["Cause", "Solution", "Also clean the drain pump filter."]
    assert "unbalanced" in answer.sentences[0].text
    assert_verbatim_and_cited(washer, answer)
    # the last line of an answer is no problem: the next error's lines never answer for it
    error = washer.ask("E10 on the screen, what do i do")
    assert all("pumped out" not in s.text and "drain pump" not in s.text for s in error.sentences)


def test_a_sentence_a_page_break_cut_is_quoted_whole_in_its_two_parts(tmp_path: Path, embedder: Embedder) -> None:
    manual = ("Dishwasher manual\n\nThe appliance washes dishes with hot water and detergent. Keep detergent out of the "
              "reach of children and do\n\f\nnot leave detergent in the dispenser between washes. Close the door "
              "firmly before you start a programme.\n")  # fmt: skip
    qa = engine_over(tmp_path, {"manual.txt": manual}, embedder)
    cut = [s.text for s in qa.store.sentences if s.text.endswith("between washes.")]
    assert cut == ["not leave detergent in the dispenser between washes."]  # the page break parts the sentence
    answer = qa.ask("Can I leave detergent in the dispenser between washes?")
    quoted = [s.text for s in answer.sentences]
    assert quoted[:2] == ["Keep detergent out of the reach of children and do", cut[0]]  # in reading order
    assert_verbatim_and_cited(qa, answer)


def test_a_sentence_a_page_break_cut_at_its_paragraphs_start_is_no_title(tmp_path: Path, embedder: Embedder) -> None:
    # its first part is a whole block of its own, short and without final punctuation, as a title is
    text = ("Gene editing\n\nOff-target effects remain a safety concern with editing technologies.\n\nCRISPR-Cas9 "
            "and its successor technologies have transformed what's\n\f\npossible in gene editing. Unlike older "
            "tools, CRISPR targets DNA with greater precision.\n")  # fmt: skip
    qa = engine_over(tmp_path, {"article.txt": text}, embedder)
    first = next(sid for sid, s in enumerate(qa.store.sentences) if s.text.startswith("CRISPR-Cas9"))
    assert unquotable(qa.store.sentences[first].text, whole_block=True)  # alone, it reads as a title
    assert quotable_shape(qa.store, first) and broken(qa.store, first, first + 1)
    answer = qa.ask("What has transformed what's possible in gene editing?")
    assert [s.text for s in answer.sentences][:2] == [qa.store.sentences[first].text, "possible in gene editing."]
    assert_verbatim_and_cited(qa, answer)


@pytest.mark.parametrize(("question", "quoted"), [
    ("Does the appliance fill with water?", "Cause: The appliance has not filled with water within 10 minutes."),
    ("Which patients were excluded?", "Patients on insulin were ineligible."),  # half of them, near enough
    ("Which hospitals were excluded?", None),  # neither word is the sentence's
])  # fmt: skip
def test_a_sentence_using_the_words_the_question_names_is_quotable_under_the_similarity_floor(
        twins: QA, question: str, quoted: str | None) -> None:  # fmt: skip
    # "what does the green light mean" is 0.12 like "the green light shows that automatic brewing is set": MiniLM
    # reads little into a short question, while its words say where the answer stands.
    strict = _with(twins, min_dense=0.99)  # no sentence is this like any question
    answer = strict.ask(question)
    assert (answer.sentences[0].text if answer.answered else None) == quoted


def test_a_sentence_using_half_the_words_the_question_names_must_be_near_enough(twins: QA,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    strict = _with(twins, min_dense=0.99)
    assert strict.ask("Which patients were excluded?").answered
    monkeypatch.setattr(server.answer.qa, "NAMED_FLOOR", 0.99)
    assert not strict.ask("Which patients were excluded?").answered
    assert strict.ask("Does the appliance fill with water?").answered  # every word: near or not
