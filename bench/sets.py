"""The public question sets as corpora and question files, and which of their articles a fitted model may learn from.

    python bench/sets.py bench/out/quality      # writes <set>/corpus/ and <set>/questions.jsonl for every set

Sets: gene-therapy dev (../shared/eval), the five SQuAD 2.0 articles (bench/squad.py), SelQA dev and test (each
section a document; gold: its answer sentences), WikiQA dev and test (each summary paragraph a document; questions
without an answer sentence are near misses). A question row also names its `article`, which decides whether it may
be fitted on (`fitting`): WikiQA never, gene-therapy dev never, three SQuAD articles and about half of SelQA's.
"""

import csv
import hashlib
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import squad

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
EXTERNAL = SHARED / "external"
# SQuAD articles a model may be fitted on; the other two are held out.
SQUAD_FITTING = {"Normans", "Computational_complexity_theory", "Southern_California"}
SETS = ("dev", "squad", "selqa-dev", "selqa-test", "wikiqa-dev", "wikiqa-test")


def fitting(set_name: str, article: str) -> bool:
    """Whether a model may learn from this article's questions. SelQA's dev and test files share most of their
    articles (and 362 sections), so they are split by article, not by file: an article whose name hashes even is
    fitted on, from either file. WikiQA (research-only licence) and the gene-therapy dev set never are."""
    if set_name == "squad":
        return article in SQUAD_FITTING
    if set_name.startswith("selqa"):
        return hashlib.sha1(article.encode()).digest()[0] % 2 == 0
    return False


def _write(out: Path, documents: dict[str, str], questions: list[dict]) -> None:
    """The corpus and question file, written only where they differ from what is there (runs may share them)."""
    corpus = out / "corpus"
    if corpus.exists() and {p.name for p in corpus.iterdir()} - set(documents):
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        _update(corpus / name, text)
    _update(out / "questions.jsonl", "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions))


def _update(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _file_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.-]+", "_", title).strip("_")[:80] or "doc"
    name, n = f"{base}.txt", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}.txt"
    taken.add(name)
    return name


def dev(out: Path) -> None:
    documents = {p.name: p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.txt"))}
    rows = [json.loads(line) | {"article": "gene-therapy"} for line in (SHARED / "eval" / "dev.jsonl").open()]
    _write(out, documents, rows)


def squad_set(out: Path) -> None:
    squad.convert(EXTERNAL / "squad2-dev-5-articles.json", out)
    data = json.loads((EXTERNAL / "squad2-dev-5-articles.json").read_text())["data"]
    article = {qa["id"]: a["title"] for a in data for p in a["paragraphs"] for qa in p["qas"]}
    path = out / "questions.jsonl"
    rows = [json.loads(line) for line in path.open()]
    _update(path, "".join(json.dumps(r | {"article": article[r["id"]]}, ensure_ascii=False) + "\n" for r in rows))


def selqa(out: Path, split: str) -> None:
    """Each section (article + section title) one document: a title line, then its sentences as one paragraph."""
    data = json.loads((EXTERNAL / "selqa" / f"selqa-ass-{split}.json").read_text())
    documents, names, taken = {}, {}, set()
    for item in data:
        key = (item["article"], item["section"])
        if key not in names:
            names[key] = _file_name(f"{item['article']} - {item['section']}", taken)
            title = f"{item['article']} — {item['section']}"
            documents[names[key]] = title + "\n\n" + " ".join(c.strip() for c in item["candidates"]) + "\n"
    rows = [{"id": f"selqa-{split}-{n}", "question": item["question"], "kind": "answerable",
             "gold": sorted({item["candidates"][i].strip() for i in item["answers"]}), "history": [],
             "article": item["article"]} for n, item in enumerate(data)]  # fmt: skip
    _write(out, documents, rows)


_SPACE_BEFORE = re.compile(r" ([.,;:!?%)\]}]|'s\b|'re\b|'ve\b|'d\b|'ll\b|'m\b|n't\b)")
_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def detokenize(sentence: str) -> str:
    """WikiQA's tokenized sentence ("Paris , France .") as prose ("Paris, France."); applied alike to the corpus
    and to the gold sentences, so that gold stays a substring of its document."""
    text = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", sentence.strip()))
    return re.sub(r"`` ?| ?''", '"', text)


def wikiqa(out: Path, split: str) -> None:
    """Each DocumentTitle's summary paragraph one document; a question with no sentence labelled 1 is a near miss
    (the paragraph is on its topic but does not answer it)."""
    with open(EXTERNAL / "wikiqa" / f"WikiQA-{split}.tsv", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    sentences: dict[str, dict[str, str]] = defaultdict(dict)
    titles, questions, gold = {}, {}, defaultdict(set)
    for line in lines:
        sentences[line["DocumentID"]][line["SentenceID"]] = detokenize(line["Sentence"])
        titles[line["DocumentID"]] = line["DocumentTitle"]
        questions[line["QuestionID"]] = (line["Question"], line["DocumentID"])
        if line["Label"] == "1":
            gold[line["QuestionID"]].add(detokenize(line["Sentence"]))
    documents, taken = {}, set()
    for doc, found in sentences.items():
        ordered = [found[k] for k in sorted(found, key=lambda s: int(s.rsplit("-", 1)[1]))]
        documents[_file_name(titles[doc], taken)] = titles[doc] + "\n\n" + " ".join(ordered) + "\n"
    rows = [{"id": f"wikiqa-{split}-{qid}", "question": q, "kind": "answerable" if gold[qid] else "near_miss",
             "gold": sorted(gold[qid]), "history": [], "article": titles[doc]}
            for qid, (q, doc) in questions.items()]  # fmt: skip
    _write(out, documents, rows)


def convert(name: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if name == "dev":
        dev(out)
    elif name == "squad":
        squad_set(out)
    else:
        kind, split = name.split("-")
        (selqa if kind == "selqa" else wikiqa)(out, split)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/quality")
    for name in SETS:
        convert(name, root / name)
        count = sum(1 for _ in (root / name / "questions.jsonl").open())
        print(f"{name}: {len(list((root / name / 'corpus').iterdir()))} documents, {count} questions")
