"""BM25 without scoring every unit: the scores of given units, and the k best found exactly by MaxScore pruning.

bm25s scores every unit of the index for a question (an array as long as the corpus, then a partition of its
positive part): at 3 M sentences, ~10 ms for a question with a common word. A unit's score is the sum, over the
question's tokens, of its entry in that token's posting list (sorted by unit), so the scores of a few units are a
binary search per token away; and a unit that holds none of the tokens whose upper bounds add up to more than the
k-th best score found so far can't be among the k best (MaxScore), so only the units of the rarer tokens are scored.
Scores are summed in float32 in the question's token order, as bm25s does: the same numbers, bit for bit.
"""

from functools import cached_property

import bm25s
import numpy as np

FULL_SHARE = 0.1  # with more of the units than this to score, scoring them all (bm25s) is cheaper
MARGIN = 1e-5  # relative: float32 sums may round past a sum of upper bounds in float64


class Lexical:
    """One BM25 index (bm25s, Lucene's scores, no non-occurrence term) read through its posting lists."""

    def __init__(self, retriever: bm25s.BM25) -> None:
        self.retriever = retriever
        self.data, self.units, self.starts = (np.asarray(retriever.scores[k]) for k in ("data", "indices", "indptr"))
        self.count = int(retriever.scores["num_docs"])

    @cached_property
    def bounds(self) -> np.ndarray:
        """Each token's highest score in any unit (0 for a token in none)."""
        lengths = np.diff(self.starts)
        found = np.zeros(len(lengths), dtype=np.float32)
        used = np.flatnonzero(lengths > 0)
        if len(used):
            found[used] = np.maximum.reduceat(self.data, self.starts[used])
        return found

    def token_ids(self, tokens: list[str]) -> list[int]:
        vocabulary = self.retriever.vocab_dict
        return [vocabulary[t] for t in tokens if t in vocabulary]

    def every(self, tokens: list[str]) -> np.ndarray:
        """The score of every unit."""
        found = self.token_ids(tokens)
        return self.retriever.get_scores_from_ids(found) if found else np.zeros(self.count, dtype=np.float32)

    def of(self, tokens: list[str], units: np.ndarray) -> np.ndarray:
        """The scores of the given units, in their order."""
        units = np.asarray(units, dtype=np.int64)
        out = np.zeros(len(units), dtype=np.float32)
        for token in self.token_ids(tokens):
            start, end = int(self.starts[token]), int(self.starts[token + 1])
            posting = self.units[start:end]
            at = np.minimum(np.searchsorted(posting, units), max(len(posting) - 1, 0))
            hit = posting[at] == units if len(posting) else np.zeros(len(units), dtype=bool)
            out[hit] += self.data[start + at[hit]]
        return out

    def holding(self, tokens: list[str]) -> np.ndarray:
        """The units that hold every one of the tokens (none if a token is in none), in order."""
        found = set(self.token_ids(tokens))
        if not found or len(found) < len(set(tokens)):
            return np.zeros(0, dtype=np.int64)
        postings = sorted((self.units[self.starts[t] : self.starts[t + 1]] for t in found), key=len)
        held = postings[0]
        for posting in postings[1:]:
            held = np.intersect1d(held, posting, assume_unique=True)
        return held.astype(np.int64)

    def top(self, tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The (at most) k units of highest positive score, best first, and their scores."""
        terms, repeats = np.unique(np.array(self.token_ids(tokens), dtype=np.int64), return_counts=True)
        if not len(terms) or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        starts, ends = self.starts[terms].astype(np.int64), self.starts[terms + 1].astype(np.int64)
        postings = [self.units[s:e] for s, e in zip(starts, ends, strict=True)]
        if (ends - starts).sum() > FULL_SHARE * self.count:
            rarest = np.argsort(ends - starts, kind="stable")
            seed = np.unique(np.concatenate([postings[i] for i in rarest[: _enough(ends - starts, rarest, k)]]))
            threshold = _kth(self.of(tokens, seed), k)
            bounds = self.bounds[terms].astype(np.float64) * repeats
            order = np.argsort(bounds, kind="stable")  # the smallest bounds first: the common tokens
            below = np.cumsum(bounds[order]) * (1 + MARGIN) < threshold  # units with only these can't reach it
            essential = order[~below]
            if (ends - starts)[essential].sum() > FULL_SHARE * self.count:
                return _best(self.every(tokens), np.arange(self.count), k)
            candidates = np.unique(np.concatenate([seed, *(postings[i] for i in essential)]))
        else:
            candidates = np.unique(np.concatenate(postings))
        return _best(self.of(tokens, candidates), candidates, k)


def _enough(lengths: np.ndarray, rarest: np.ndarray, k: int) -> int:
    """How many of the rarest tokens' postings hold at least k units between them (all, if they never do)."""
    return int(min(np.searchsorted(np.cumsum(lengths[rarest]), k) + 1, len(rarest)))


def _kth(scores: np.ndarray, k: int) -> float:
    """The k-th best score (0 with fewer than k): a lower bound of the k-th best of all units."""
    return float(np.partition(scores, len(scores) - k)[len(scores) - k]) if len(scores) >= k else 0.0


def _best(scores: np.ndarray, units: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        positive = positive[np.argpartition(scores[positive], len(positive) - k)[len(positive) - k :]]
    positive = positive[np.argsort(-scores[positive], kind="stable")]
    return units[positive].astype(np.int64), scores[positive]
