"""Answer quality on every public question set, in one table: what `verbatim eval` measures, set by set.

    .venv/bin/python bench/quality.py [--sets dev,squad,...] [--save NAME]

Converts the sets (bench/sets.py), builds each index once into bench/out/quality/<set>/index (reused while the
corpus is unchanged), answers every question with the engine as `verbatim eval` does (server.answer.evaluate.run; questions
encoded by the index's ONNX export, as served) and prints one row per set and part: `fit` holds the articles a model
may be fitted on (bench/sets.fitting), `held` the others. F1 is answer triggering: precision and recall, over
questions, of "answered, and a quoted sentence holds a gold phrase" (sets with near misses). ECE: the answers'
`confidence` against whether they were right (any quoted sentence), in ten bins. Answers go to
bench/out/quality/<set>/answers-<NAME or latest>.jsonl; with --save, the table also to bench/out/quality/<NAME>.md.
With --misspell, every question is asked with one of its words of five letters or more misspelt as a hurried
typist would (one letter dropped, doubled, swapped with the next or struck for another; never the first or last),
the same word and slip on every run.
"""

import argparse
import json
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sets

from index.embed import Embedder
from index.text import is_stopword
from server.answer.evaluate import metrics, percentile_ms, read_questions, run
from server.engine import build, open_qa
from server.settings import Settings

ROOT = Path("bench/out/quality")
COLUMNS = ("set", "part", "questions", "hit@1", "hit", "false_abstain", "abstain", "near_miss_abstain", "F1", "ECE",
           "p50 ms")  # fmt: skip


def right(question, answer) -> bool:
    return answer.answered and any(g in s.text for g in question.gold for s in answer.sentences)


def triggering_f1(questions: list, answers: list) -> float | None:
    """F1 of answering with a gold sentence quoted: precision over answered questions, recall over answerable."""
    if not any(q.kind == "near_miss" for q in questions):
        return None
    good = sum(right(q, a) for q, a in zip(questions, answers, strict=True))
    answered = sum(a.answered for a in answers)
    answerable = sum(q.kind in ("answerable", "followup") for q in questions)
    if not good:
        return 0.0
    precision, recall = good / answered, good / answerable
    return round(2 * precision * recall / (precision + recall), 3)


def calibration_error(questions: list, answers: list) -> float | None:
    """Expected calibration error of the answers' confidence (ten equal-width bins), None without confidence."""
    pairs = [(a.confidence, right(q, a)) for q, a in zip(questions, answers, strict=True)
             if a.answered and getattr(a, "confidence", None) is not None]  # fmt: skip
    if not pairs:
        return None
    error = 0.0
    for b in range(10):
        group = [(c, r) for c, r in pairs if b / 10 <= c < (b + 1) / 10 or (b == 9 and c == 1.0)]
        if group:
            error += abs(sum(c for c, _ in group) / len(group) - sum(r for _, r in group) / len(group)) * len(group)
    return round(error / len(pairs), 3)


def misspelt(question: str, seed: str) -> str:
    """The question with one of its content words of five letters or more misspelt by one slip (a letter dropped,
    doubled, swapped with the next, or struck for another), chosen by the seed; unchanged if it has none."""
    found = [m for m in re.finditer(r"[A-Za-z]{5,}", question) if not is_stopword(m.group())]
    if not found:
        return question
    pick = random.Random(seed)
    word = pick.choice(found)
    w, i = word.group(), pick.randrange(1, len(word.group()) - 2)
    slip = pick.choice(["drop", "double", "swap", "strike"])
    typed = {"drop": w[:i] + w[i + 1 :], "double": w[: i + 1] + w[i:], "swap": w[:i] + w[i + 1] + w[i] + w[i + 2 :],
             "strike": w[:i] + pick.choice("abcdefghijklmnopqrstuvwxyz".replace(w[i], "")) + w[i + 1 :]}[slip]  # fmt: skip
    return question[: word.start()] + typed + question[word.end() :]


def row(name: str, part: str, picked: list[int], questions: list, answers: list, latencies: list,
        documents: dict) -> dict:  # fmt: skip
    qs, ans = [questions[i] for i in picked], [answers[i] for i in picked]
    m = metrics(qs, ans, documents, [latencies[i] for i in picked])
    assert m["verbatim"] == 1.0, f"{name}: a quoted sentence is not the source's text"
    return {"set": name, "part": part, "questions": len(qs), "hit@1": m["hit@1"], "hit": m["hit"],
            "false_abstain": m["false_abstain"], "abstain": m["abstain"], "near_miss_abstain": m["near_miss_abstain"],
            "F1": triggering_f1(qs, ans), "ECE": calibration_error(qs, ans),
            "p50 ms": round(percentile_ms([latencies[i] for i in picked], 0.5), 1)}  # fmt: skip


def evaluate(name: str, embedder: Embedder, label: str | None = None, misspell: bool = False) -> list[dict]:
    folder = ROOT / name
    sets.convert(name, folder)
    settings = Settings(corpus=folder / "corpus", index=folder / "index")
    build(settings, embedder=embedder)
    qa = open_qa(settings)
    questions = read_questions(folder / "questions.jsonl")
    if misspell:
        questions = [replace(q, question=misspelt(q.question, q.id)) for q in questions]
    articles = [json.loads(line)["article"] for line in (folder / "questions.jsonl").open()]
    qa.ask(questions[0].question)  # the first answer reads word lists and warms caches; not timed
    answers, latencies = run(qa, questions)
    with open(folder / f"answers-{label or 'latest'}.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"id": q.id, "question": q.question, "answer": a.to_dict()}) + "\n" for q, a in zip(questions, answers, strict=True))
    everything = list(range(len(questions)))
    fit = [i for i in everything if sets.fitting(name, articles[i])]
    rows = [row(name, "all", everything, questions, answers, latencies, qa.store.documents)]
    if fit:
        held = [i for i in everything if i not in set(fit)]
        rows += [row(name, part, picked, questions, answers, latencies, qa.store.documents)
                 for part, picked in (("fit", fit), ("held", held))]  # fmt: skip
    return rows


def table(rows: list[dict]) -> str:
    def cell(value: object) -> str:
        return "–" if value is None else str(value)

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(r[c]) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(sets.SETS))
    parser.add_argument("--save", help="also write the table to bench/out/quality/NAME.md")
    parser.add_argument("--misspell", action="store_true", help="ask each question with one word misspelt")
    args = parser.parse_args()
    embedder = Embedder(Settings().model)
    rows = []
    for name in args.sets.split(","):
        found = evaluate(name, embedder, args.save, args.misspell)
        rows += found
        print(table(found), flush=True, file=sys.stderr)
    text = table(rows)
    print(text)
    if args.save:
        (ROOT / f"{args.save}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
