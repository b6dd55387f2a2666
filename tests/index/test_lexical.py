"""BM25 read through its posting lists: the same scores as scoring every unit, and the same best units."""

import bm25s
import numpy as np
import pytest

from index.build import BuildReport
from index.lexical import Lexical
from index.store import Store
from index.text import tokens
from server.settings import Settings

QUESTIONS = ["What does gene therapy modify?", "How are viral vectors manufactured in bioreactors?",
             "Which phase II trials used CRISPR base editing?", "the the of", "zebrafish"]  # fmt: skip


def _same_best(lexical: Lexical, words: list[str], k: int) -> None:
    every = lexical.every(words)
    ids, scores = lexical.top(words, k)
    positive = np.sort(every[every > 0])[::-1][:k]
    assert np.array_equal(scores, positive)  # the same numbers, bit for bit
    assert np.array_equal(every[ids], scores) and len(set(ids.tolist())) == len(ids)


@pytest.mark.parametrize("question", QUESTIONS)
def test_store_scores_a_few_units_as_it_scores_them_all(settings: Settings, built: BuildReport,
                                                        question: str) -> None:  # fmt: skip
    store = Store.open(settings.index, settings.model, settings.max_passage_chars)
    words = tokens(question)
    for sentences, count in ((False, len(store.passages)), (True, len(store.sentences))):
        every = store.lexical(words, sentences)
        some = np.arange(0, count, 3)
        assert np.array_equal(store.lexical_of(words, some, sentences), every[some])
        for k in (1, 5, 30):
            _same_best(store._lexical(sentences), words, k)
        ids, scores = store.lexical_top(words, 10, sentences)
        assert np.array_equal(every[ids], scores)


def test_best_units_of_a_large_index_are_found_without_scoring_them_all() -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(400)]
    weights = 1 / np.arange(1, 401)  # Zipf: a few common words, many rare ones
    corpus = [list(rng.choice(vocabulary, rng.integers(3, 15), p=weights / weights.sum())) for _ in range(20_000)]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    lexical = Lexical(retriever)
    for query in (["w0", "w1", "w350"], ["w0", "w2", "w2", "w120"], ["w5"], ["w0", "w1", "w2", "w3"], ["nothing"]):
        for k in (1, 10, 30):
            _same_best(lexical, query, k)
        units = rng.integers(0, len(corpus), 500)
        assert np.array_equal(lexical.of(query, units), lexical.every(query)[units])


@pytest.mark.parametrize("words", [["viral", "vectors"], ["gene", "editing", "crispr"], ["zebrafish"], ["gene"]])
def test_the_units_holding_every_token_are_those_that_score_on_each(settings: Settings, built: BuildReport,
                                                                    words: list[str]) -> None:  # fmt: skip
    store = Store.open(settings.index, settings.model, settings.max_passage_chars)
    wanted = [t for w in words for t in tokens(w)]
    for sentences in (False, True):
        each = np.all([store.lexical([token], sentences) > 0 for token in wanted], axis=0)
        assert np.array_equal(store.holding(wanted, sentences), np.flatnonzero(each))

