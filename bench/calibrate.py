"""Fit the sentence-scoring weights and the abstention thresholds on the dev question sets; print them.

    python bench/calibrate.py
Needs the dev indexes (bench/tune.py's SETS). The weights maximise the likelihood that the sentence holding a gold
phrase ranks first (a softmax over each question's candidates); the similarity floor is the highest that costs at
most one answer on each set (against no floor) and keeps false abstentions at most 3.5 %.
"""

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from index.embed import Embedder
from index.store import Store
from index.text import tokens
from server.answer.evaluate import metrics, run
from server.answer.followup import resolve
from server.answer.qa import QA
from server.answer.retrieve import FEATURES, features
from server.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from tune import open_sets


def collect(store: Store, questions: list, embedder: Embedder, settings: Settings) -> list:
    """Per answerable question: (feature rows, labels) over its candidate sentences, when any holds gold."""
    groups = []
    for q in questions:
        if q.kind not in ("answerable", "followup"):
            continue
        query = resolve(q.question, q.history)
        _, ids, rows, _ = features(store, query, embedder.encode_query(query), tokens(query), settings)
        labels = np.array([any(g in store.sentences[i].text for g in q.gold) for i in ids], dtype=np.float32)
        if labels.any():
            groups.append((rows, labels / labels.sum()))
    return groups


def fit(groups: list, weights: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Minimise the listwise softmax loss (L-BFGS), scaled so the dense weight stays 1."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * w @ w / 2, l2 * w
        for rows, target in groups:
            z = rows @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            total -= float(target @ np.log(p + 1e-12)) / len(groups)
            grad = grad + rows.T @ (p - target) / len(groups)
        return total, grad

    w = minimize(loss, weights.astype(np.float64) * 10, jac=True, method="L-BFGS-B").x
    return w / w[0]


def hit_at_1(groups: list, w: np.ndarray) -> float:
    return float(np.mean([target[np.argmax(rows @ w)] > 0 for rows, target in groups]))


def main() -> None:
    settings = Settings()
    embedder = Embedder(settings.model, cache_size=10_000)
    data = open_sets(settings, embedder)
    groups = {name: collect(store, qs, embedder, settings) for name, (store, qs) in data.items()}
    start = np.asarray(settings.sentence_weights)
    # Check generalisation first: fit on one half of SQuAD's questions, score the other half.
    squad = groups["squad"]
    half = len(squad) // 2
    held = fit(squad[:half] + groups["dev"], start)
    print(f"held-out SQuAD hit@1 (of questions whose gold is a candidate): before {hit_at_1(squad[half:], start):.3f}"
          f", after {hit_at_1(squad[half:], held):.3f}")  # fmt: skip
    weights = fit(squad + groups["dev"] * 5, start)  # the small gene-therapy set weighs as much as it can
    for name, g in groups.items():
        print(f"{name}: hit@1 on candidates {hit_at_1(g, start):.3f} -> {hit_at_1(g, weights):.3f}")
    print("sentence_weights =", tuple(round(float(x), 3) for x in weights))
    print(dict(zip(FEATURES, np.round(weights, 3), strict=True)))
    print("min_dense =", calibrate_min_dense(data, embedder, settings, max_false=0.035))


def calibrate_min_dense(data: dict, embedder: Embedder, settings: Settings, max_false: float) -> float:
    """The highest similarity floor that costs next to no answers: on every set at most max_false false
    abstentions, and at most one answerable question fewer with a gold phrase quoted than with no floor at all.
    The floor decides which sentences may be quoted, so raising it loses answers as well as abstaining more: each
    floor is tried with the whole answer. (The floor also keeps off-topic questions from being answered by
    sentences that share a word with them, so the highest such floor is taken, not the lowest.)"""
    best, ceiling = 0.0, None
    for floor in np.arange(0.0, 0.6, 0.01):
        rates, hits = [], []
        for name, (store, questions) in data.items():
            qa = QA(store, embedder, settings.model_copy(update={"min_dense": float(floor)}))
            found = metrics(questions, run(qa, questions)[0], store.documents, [])
            rates.append(found["false_abstain"])
            hits.append(round(found["hit"] * sum(q.kind in ("answerable", "followup") for q in questions)))
            print(f"  min_dense {floor:.2f} {name}: hit {found['hit']:.3f}, false abstain {rates[-1]:.3f}, "
                  f"abstain {found['abstain']}, near-miss abstain {found['near_miss_abstain']}")
        ceiling = ceiling or hits
        if max(rates) <= max_false and all(h >= c - 1 for h, c in zip(hits, ceiling, strict=True)):
            best = float(floor)
    return round(best, 2)


if __name__ == "__main__":
    main()
