"""Fit the sentence selector and the answer confidence (server/answer/selector.json) on permissively licensed questions.

    .venv/bin/python bench/train_selector.py [--set keep_ratio=0.5 ...] [--out server/answer/selector.json]

Data: SelQA (Apache-2.0) and the SQuAD articles, only the articles bench/sets.fitting allows (three SQuAD articles,
about half of SelQA's, split by article so no held-out article is ever seen); WikiQA and the gene-therapy dev set
are never read. Indexes come from bench/quality.py's folders (built here when missing).

1. Every question's candidate sentences and their features (server.answer.retrieve.features); a candidate is positive
   when it holds a gold phrase (or is a piece of a gold sentence that the segmenter split). Each fitting answerable
   question is also asked again without the word it shares with its answer that tells the most (unprompted): as
   someone who does not know the documents' word for it would ask. These copies only train the sentence scorer.
2. The sentence scorer: linear in the standardized features, fitted listwise (a softmax over each question's
   candidates against its positives, L2, L-BFGS; deterministic), in five folds by article; then Platt scaling,
   fitted on the folds' scores of the candidates of articles they had not seen, turns a score into the
   pointwise probability that the candidate holds the answer. (Pointwise logistic regression and a one-hidden-
   layer network ranked worse on unseen articles; BENCHMARKS.md.) The folds' models answer the questions of the
   articles they did not see, with the whole engine (rules included, no confidence threshold).
3. The answer model: logistic regression on those answers' signals (server.answer.selector.signals) against whether
   the answer was right (a quoted sentence holds a gold phrase; a near miss answered is wrong), itself fitted
   fold by fold so that the threshold is chosen on confidences no model saw: of the thresholds that keep refused
   answerable questions (rules and threshold together) at most --refuse over the fitting sets, the lowest of those
   that refuse the most near misses.
4. Both models fitted on all fitting questions, written with what was measured.
"""

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).parent))
import sets

from index.embed import Embedder
from index.text import WORD, is_stopword, question_tokens, stem, tokens
from server.answer.evaluate import Question, read_questions
from server.answer.followup import resolve
from server.answer.qa import QA
from server.answer.retrieve import FEATURES, features
from server.answer.selector import MODEL, Network, Selector, signal_names
from server.answer.terms import joined_compounds
from server.engine import build, open_qa
from server.settings import Settings

FITTING_SETS = ("squad", "selqa-dev", "selqa-test")
SEED = 20261202
FOLDS = 5


@dataclass
class Item:
    set: str
    article: str
    fitting: bool
    question: Question
    rows: np.ndarray
    labels: np.ndarray
    query: str  # the question as searched (a follow-up resolved)
    ids: np.ndarray  # the candidates' sentence ids in the set's index


def positive(text: str, gold: list[str]) -> bool:
    return any(g in text for g in gold) or (len(text) > 30 and any(text.strip() in g for g in gold))


def collect(name: str, qa: QA) -> list[Item]:
    folder = Path("bench/out/quality") / name
    articles = [json.loads(line)["article"] for line in (folder / "questions.jsonl").open()]
    items = []
    for q, article in zip(read_questions(folder / "questions.jsonl"), articles, strict=True):
        query = joined_compounds(qa.store, resolve(q.question, q.history))
        vector = qa.embedder.encode_query(query)
        _, ids, rows, _ = features(qa.store, query, vector, question_tokens(query), qa.settings, qa.topic_vector)
        labels = np.array([positive(qa.store.sentences[i].text, q.gold) for i in ids], dtype=np.float32)
        items.append(Item(name, article, sets.fitting(name, article), q, rows, labels, query, ids))
    return items


def unprompted(question: str, gold_text: str, qa: QA) -> str | None:
    """The question without the word it shares with its answer sentence that tells the most (highest idf): asked as
    someone who does not know the documents' word for it would ("What religion were the Normans?" without
    "religion"). None where it shares no content word or would keep fewer than two."""
    shared = set(tokens(question)) & set(tokens(gold_text))
    if not shared:
        return None
    cue = max(sorted(shared), key=qa.store.idf)
    kept = [w for w in WORD.findall(question) if stem(w.lower()) != cue]
    if sum(not is_stopword(w.lower()) for w in kept) < 2:
        return None
    return " ".join(kept) + "?"


def collect_unprompted(name: str, qa: QA, items: list[Item]) -> list[Item]:
    """Each fitting answerable question again without its strongest word in common with its answer (unprompted)."""
    out = []
    for item in items:
        if not item.fitting or item.question.kind != "answerable" or not item.labels.any():
            continue
        gold_text = " ".join(qa.store.sentences[int(i)].text for i, y in zip(item.ids, item.labels) if y)
        query = unprompted(item.query, gold_text, qa)
        if query is None:
            continue
        vector = qa.embedder.encode_query(query)
        _, ids, rows, _ = features(qa.store, query, vector, question_tokens(query), qa.settings, qa.topic_vector)
        labels = np.array([positive(qa.store.sentences[i].text, item.question.gold) for i in ids], dtype=np.float32)
        if labels.any():
            out.append(Item(name, item.article, True, item.question, rows, labels, query, ids))
    return out


def cached_collect(name: str, qa: QA) -> list[Item]:
    """collect(), remembered under bench/out/quality/<set>/ while the code computing features is unchanged."""
    root = Path(__file__).parents[1]
    code = b"".join((root / f).read_bytes() for f in ("server/answer/retrieve.py", "server/answer/terms.py",
                                                      "server/answer/followup.py", "index/text.py", __file__))  # fmt: skip
    code += Item.__annotations__.__repr__().encode()
    path = Path("bench/out/quality") / name / f"candidates-{hashlib.sha1(code).hexdigest()[:12]}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    items = collect(name, qa)
    path.write_bytes(pickle.dumps(items))
    return items


def fold_of(item: Item) -> int:
    return int.from_bytes(item.article.encode()[:8].ljust(8, b"\0"), "little") * 2654435761 % 2**32 % FOLDS


def standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-6


def logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], l2: float) -> Network:
    """Logistic regression (binary cross-entropy, L2 on the weights, L-BFGS) on standardized inputs."""
    mean, scale = standardize(x)
    z = ((x - mean) / scale).astype(np.float64)
    d = z.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-np.clip(z @ theta[:d] + theta[d], -30, 30)))
        value = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + l2 * theta[:d] @ theta[:d] / 2
        g = (p - y) / len(y)
        return value, np.concatenate([z.T @ g + l2 * theta[:d], [g.sum()]])

    theta = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 5000}).x
    layer = (theta[:d].reshape(d, 1).astype(np.float32), theta[d:].astype(np.float32))
    return Network(names, mean.astype(np.float32), scale.astype(np.float32), [layer])


@dataclass
class Scorer:
    """A linear score of standardized features, fitted listwise: a softmax over each question's candidates."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def __call__(self, item: Item) -> np.ndarray:
        return ((item.rows - self.mean) / self.scale) @ self.weights

    def network(self, a: float, b: float) -> Network:
        """As the pointwise probability sigmoid(a * score + b) (Platt scaling folded into one linear layer)."""
        layer = ((a * self.weights).reshape(-1, 1).astype(np.float32), np.array([b], dtype=np.float32))
        return Network(FEATURES, self.mean.astype(np.float32), self.scale.astype(np.float32), [layer])


def listwise(items: list[Item], l2: float) -> Scorer:
    """The weights that make a gold-holding candidate most likely first: the softmax cross-entropy of each
    question's candidates against its positives (questions without one are left out), L2, L-BFGS."""
    mean, scale = standardize(np.concatenate([i.rows for i in items]))
    groups = [i for i in items if i.labels.any()]
    z = np.concatenate([(i.rows - mean) / scale for i in groups]).astype(np.float64)
    target = np.concatenate([i.labels / i.labels.sum() for i in groups])
    starts = np.cumsum([0] + [len(i.rows) for i in groups])[:-1]
    owner = np.repeat(np.arange(len(groups)), [len(i.rows) for i in groups])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        score = z @ w
        top = np.maximum.reduceat(score, starts)
        e = np.exp(score - top[owner])
        p = e / np.add.reduceat(e, starts)[owner]
        g = (p - target) / len(groups)
        return -np.sum(target * np.log(p + 1e-12)) / len(groups) + l2 * w @ w / 2, z.T @ g + l2 * w

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 5000}).x
    return Scorer(mean, scale, w)


def platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """sigmoid(a * score + b) fitted to whether each candidate holds a gold phrase."""
    net = logistic(scores.reshape(-1, 1), labels, ("score",), 0.0)
    (w, b), = net.layers
    a = float(w[0, 0] / net.scale[0])
    return a, float(b[0] - a * net.mean[0])


def top1(items: list[Item], score: Callable[[Item], np.ndarray]) -> float:
    """Share of answerable questions whose best-scored candidate holds a gold phrase."""
    asked = [i for i in items if i.question.kind == "answerable"]
    return float(np.mean([len(i.rows) > 0 and i.labels[np.argmax(score(i))] > 0 for i in asked]))


def _placeholder(names: tuple[str, ...]) -> Network:
    d = len(names)
    return Network(names, np.zeros(d, np.float32), np.ones(d, np.float32),
                   [(np.zeros((d, 1), np.float32), np.zeros(1, np.float32))])  # fmt: skip


@dataclass
class Outcome:
    item: Item
    signals: np.ndarray | None
    answered: bool  # by the rules, with no confidence threshold
    right: bool
    first: bool  # the first quoted sentence holds a gold phrase
    words: int


def outcomes(qas: dict[str, QA], group: list[Item], net: Network, update: dict) -> list[Outcome]:
    """The whole engine's answers with this sentence model and no confidence threshold: per question, its signals,
    whether it was answered (the rules may still abstain) and whether the answer was right."""
    selector = Selector(net, _placeholder(signal_names(FEATURES)), 0.0, {})
    out = []
    for item in group:
        qa = qas[item.set]
        engine = QA(qa.store, qa.embedder, qa.settings.model_copy(update=update | {"answer_threshold": 0.0}), selector)
        found = engine.evidence(item.question.question, item.question.history)
        answer = engine.respond(found)
        right = answer.answered and any(g in s.text for g in item.question.gold for s in answer.sentences)
        first = answer.answered and any(g in answer.sentences[0].text for g in item.question.gold)
        words = sum(len(s.text.split()) for s in answer.sentences)
        out.append(Outcome(item, found.signals, answer.answered, right, first, words))
    return out


# Signals whose scale is the corpus's more than the answer's, which the confidence leaves out: raw BM25 (small in a
# short text on one topic, where every word is common) and the section trail's coverage (large where every title
# names what questions ask, as in WikiQA's article titles). With them, answers from the one-article gene-therapy
# text were given 0.45 and WikiQA's 0.8, against 0.95 and 0.4 right.
CORPUS_BOUND = ("best_lexical_raw", "best_section_coverage")


def answer_model(results: list[Outcome], l2: float) -> Network:
    """Logistic regression of whether an answer was right on its signals, less CORPUS_BOUND (weight 0)."""
    used = [r for r in results if r.answered and r.signals is not None]
    names = signal_names(FEATURES)
    keep = np.array([n not in CORPUS_BOUND for n in names])
    x = np.stack([r.signals for r in used])[:, keep]
    y = np.array([r.right for r in used], dtype=np.float64)
    fitted = logistic(x, y, tuple(n for n, k in zip(names, keep, strict=True) if k), l2)
    (weights, bias), = fitted.layers
    full = np.zeros((len(names), 1), dtype=np.float32)
    full[keep] = weights
    mean, scale = np.zeros(len(names), np.float32), np.ones(len(names), np.float32)
    mean[keep], scale[keep] = fitted.mean, fitted.scale
    return Network(names, mean, scale, [(full, bias)])


def family(item: Item) -> str:
    return "selqa" if item.set.startswith("selqa") else item.set


def threshold(results: list[Outcome], confidence: dict[int, float], most: float) -> tuple[float, dict]:
    """Of the thresholds at which at most `most` of the fitting sets' answerable questions, together, are refused
    (by the rules or for a confidence below it), the one that refuses the most near misses, and the lowest of those:
    a higher one would refuse answerable questions and buy nothing. With the rates it gives, set by set and
    together. (Set by set, SelQA's crowd-written questions leave no room: the rules alone refuse 3.3 % of them.)"""
    asked = [r for r in results if r.item.question.kind == "answerable"]
    near = [r for r in results if r.item.question.kind == "near_miss"]

    def rates(t: float) -> dict[str, float]:
        refused = {id(r): not r.answered or confidence[id(r)] < t for r in asked}
        found = {name: float(np.mean([refused[id(r)] for r in asked if family(r.item) == name]))
                 for name in sorted({family(r.item) for r in asked})}  # fmt: skip
        return found | {"together": float(np.mean(list(refused.values())))}

    def near_refused(t: float) -> int:
        return sum(not r.answered or confidence[id(r)] < t for r in near)

    best, most_refused = 0.0, near_refused(0.0)
    for t in map(float, np.arange(0.0, 1.0, 0.005)):
        if rates(t)["together"] <= most and (refused := near_refused(t)) > most_refused:
            best, most_refused = t, refused
    return round(best, 3), {k: round(v, 4) for k, v in rates(best).items()}


def report(results: list[Outcome], confidence: dict[int, float], t: float) -> dict:
    """Per fitting set: hit (right when answered), refused answerable, near misses refused, at the threshold."""
    out = {}
    for name in sorted({family(r.item) for r in results}):
        group = [r for r in results if family(r.item) == name]
        asked = [r for r in group if r.item.question.kind == "answerable"]
        near = [r for r in group if r.item.question.kind == "near_miss"]
        answered = [r.answered and confidence[id(r)] >= t for r in group]
        kept = dict(zip(map(id, group), answered, strict=True))
        out[name] = {"questions": len(group),
                     "hit@1": round(float(np.mean([kept[id(r)] and r.first for r in asked])), 4),
                     "hit": round(float(np.mean([kept[id(r)] and r.right for r in asked])), 4),
                     "median_words": float(np.median([r.words for r in group if kept[id(r)]] or [0])),
                     "refused_answerable": round(float(np.mean([not kept[id(r)] for r in asked])), 4),
                     "near_miss_abstain": round(float(np.mean([not kept[id(r)] for r in near])), 4) if near else None}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=0.01, help="L2 of the sentence scorer")
    parser.add_argument("--answer-l2", type=float, default=0.01, help="L2 of the answer model")
    parser.add_argument("--refuse", type=float, default=0.03, help="most refused answerable questions per set")
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--sets", default=",".join(FITTING_SETS), help="the question sets fitted on")
    parser.add_argument("--set", action="append", default=[], help="a setting for the answers, e.g. keep_ratio=0.5")
    args = parser.parse_args()
    update = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    began = time.perf_counter()
    embedder = Embedder(Settings().model)
    # The engines are opened with an empty model (the shipped file may not exist yet); answers pass their own.
    blank = Path("bench/out/quality/blank-selector.json")
    blank.parent.mkdir(parents=True, exist_ok=True)
    empty = Selector(_placeholder(FEATURES), _placeholder(signal_names(FEATURES)), 0.0, {})
    blank.write_text(json.dumps(empty.to_dict()))
    qas, items, unprompted_items = {}, [], []
    names = args.sets.split(",")
    for name in names:
        folder = Path("bench/out/quality") / name
        sets.convert(name, folder)
        settings = Settings(corpus=folder / "corpus", index=folder / "index")
        build(settings, embedder=embedder)
        qas[name] = open_qa(settings.model_copy(update={"query_cache": 20_000, "selector_model": blank}))
        items += cached_collect(name, qas[name])
        extra = collect_unprompted(name, qas[name], [i for i in items if i.set == name])
        print(f"{name}: {len(extra)} questions asked again without their strongest shared word", flush=True)
        unprompted_items.extend(extra)
    fitting = [i for i in items if i.fitting]
    held = [i for i in items if not i.fitting]
    print(f"{len(fitting)} fitting questions, {len(held)} held out; {time.perf_counter() - began:.0f} s", flush=True)
    folds = [[i for i in fitting if fold_of(i) == k] for k in range(FOLDS)]
    extra = [[i for i in unprompted_items if fold_of(i) == k] for k in range(FOLDS)]
    scorers = [listwise([i for j in range(FOLDS) if j != k for i in folds[j] + extra[j]], args.l2) for k in range(FOLDS)]
    unseen_top1 = [top1(folds[k], scorers[k]) for k in range(FOLDS)]
    print("top-1 candidate on each fold's unseen articles:", [round(x, 3) for x in unseen_top1], flush=True)
    # One Platt scaling for all, fitted on the scores of candidates of articles each scorer had not seen.
    a, b = platt(np.concatenate([scorers[k](i) for k in range(FOLDS) for i in folds[k]]),
                 np.concatenate([i.labels for k in range(FOLDS) for i in folds[k]]))  # fmt: skip
    results: list[Outcome] = []
    for k in range(FOLDS):
        results += outcomes(qas, folds[k], scorers[k].network(a, b), update)
    print(f"answers of unseen articles: {time.perf_counter() - began:.0f} s", flush=True)
    # The answer model's own folds: each fold's confidences come from a model fitted on the other folds' answers.
    confidence: dict[int, float] = {}
    for k in range(FOLDS):
        net = answer_model([r for r in results if fold_of(r.item) != k], args.answer_l2)
        for r in results:
            if fold_of(r.item) == k:
                confidence[id(r)] = float(1 / (1 + np.exp(-net.logits(r.signals[None])[0]))) if r.answered else 0.0
    for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        print(f"  threshold {t}: " + "; ".join(f"{k}: hit {v['hit']}, refused {v['refused_answerable']}, near misses "
                                                 f"refused {v['near_miss_abstain']}"
                                                 for k, v in report(results, confidence, t).items()), flush=True)  # fmt: skip
    chosen, rates = threshold(results, confidence, args.refuse)
    measured = report(results, confidence, chosen)
    print(f"threshold {chosen}: refused answerable {rates}; on unseen folds {measured}", flush=True)
    scorer = listwise(fitting + unprompted_items, args.l2)
    final = Selector(scorer.network(a, b), answer_model(results, args.answer_l2), chosen, {
        "fitted_on": {name: sum(i.set == name for i in fitting) for name in names},
        "unprompted_copies": {name: sum(i.set == name for i in unprompted_items) for name in names},
        "split": "bench/sets.fitting: SQuAD " + ", ".join(sorted(sets.SQUAD_FITTING)) + "; SelQA articles by hash",
        "l2": args.l2, "answer_l2": args.answer_l2, "platt": [round(a, 4), round(b, 4)], "settings": update, "seed": SEED, "folds": FOLDS, "refuse": args.refuse,
        "unseen_fold_top1": [round(x, 4) for x in unseen_top1], "unseen_fold_answers": measured,
        "command": "python bench/train_selector.py " + " ".join(sys.argv[1:]),
    })  # fmt: skip
    for name in names:
        part = [i for i in held if i.set == name and i.question.kind == "answerable"]
        print(f"{name}: top-1 candidate, held-out articles {top1(part, scorer):.3f}")
    args.out.write_text(json.dumps(final.to_dict(), indent=1) + "\n")
    print(f"wrote {args.out} in {time.perf_counter() - began:.0f} s")

if __name__ == "__main__":
    main()
