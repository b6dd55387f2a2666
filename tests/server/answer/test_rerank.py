"""The cross-encoder reranker shipped in server/answer/: it reads a question with each candidate, and only moves the
selector's best few."""

import numpy as np

from server.answer.qa import QA
from server.answer.rerank import MODEL, Reranker, pair_text, shipped


def test_the_reranker_is_shipped_small_and_int8() -> None:
    assert MODEL.exists() and MODEL.stat().st_size <= 30 * 2**20
    assert shipped() is not None and shipped().weight > 0


def test_the_sentence_that_answers_reads_better_than_one_that_shares_the_words() -> None:
    reranker = Reranker(MODEL)
    logits = reranker.logits("Where are viral vectors grown?", [
        "Viral vectors carry genes into cells.",
        "Viral vectors are grown in bioreactors at large plants.",
        "CRISPR edits DNA.",
    ])  # fmt: skip
    assert logits.shape == (3,) and int(np.argmax(logits)) == 1 and logits[2] < logits[1]


def test_reranking_moves_only_the_best_few_and_keeps_their_sum(qa: QA) -> None:
    ids = np.arange(6)
    logits = np.array([2.0, 1.5, 1.0, 0.5, 0.0, -1.0], dtype=np.float32)
    moved = shipped().rerank(qa.store, "Where are viral vectors grown?", ids, logits, top=3)
    assert np.array_equal(moved[3:], logits[3:])
    assert np.isclose(moved[:3].sum(), logits[:3].sum(), atol=1e-4)


def test_a_candidate_is_read_with_its_section_trail(qa: QA) -> None:
    sid = next(i for i in range(len(qa.store.sentences))
               if qa.store.passages[int(qa.store.sentence_passage[i])].section)  # fmt: skip
    text = pair_text(qa.store, sid)
    assert text.endswith(" ".join(qa.store.sentences[sid].text.split())) and ": " in text


def test_answers_hold_with_the_reranker_on(qa: QA) -> None:
    on = QA(qa.store, qa.embedder, qa.settings.model_copy(update={"rerank_top": 4}))
    answer = on.ask("What does CRISPR allow scientists to do?")
    assert answer.answered and "target specific DNA sequences" in answer.sentences[0].text
    text = qa.store.documents[answer.citations[0].source]
    assert all(text[s.start : s.end] == s.text for s in answer.sentences)
