"""Fine-tune a cross-encoder reranker from all-MiniLM-L6-v2's own weights and ship it int8 (server/answer/reranker.onnx).

    .venv/bin/python bench/train_reranker.py --epochs 2 --stop-after 1     # the shipped file (~35 min here)
    .venv/bin/python bench/train_reranker.py --trained                      # export and measure a saved model

It reads the question and each of the linear selector's best candidates together (one sequence, the candidate with
its section trail), where the selector sees them apart through their vectors and word overlaps. Data: the candidates
bench/train_selector.py collects (SelQA and three SQuAD articles, only the fitting articles of bench/sets.fitting;
WikiQA and the gene-therapy text are never read). Folds 0-3 of the fitting articles train it; fold 4, articles it
never saw, chooses the weight of its score beside the selector's; the held-out articles of every set report it.

1. The linear selector, fitted on folds 0-3, ranks each question's candidates; its top `--top` (with a gold one put
   last when none is among them) are one training group.
2. The cross-encoder (BERT from the bundled model, a new one-logit head) is trained listwise: a softmax over each
   group's logits against its gold candidates; AdamW, linear warm-up and decay, deterministic order.
3. Fold 4 picks the weight w of score = selector logit + w * reranker logit over the `--read` best candidates
   (what answers read: Settings.rerank_top); held-out top-1 is printed for the selector alone and reranked.
4. Exported to ONNX (logits of input_ids, attention_mask, token_type_ids) and quantized dynamically to int8.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from torch.nn import Module

sys.path.insert(0, str(Path(__file__).parent))
import train_selector as fit

from index.embed import DEFAULT_MODEL, resolve_model
from server.answer.rerank import MAX_TOKENS, pair_text
from server.answer.selector import Selector
from server.engine import open_qa
from server.settings import Settings

SETS = ("squad", "selqa-dev", "selqa-test")
WORK = Path("bench/out/reranker")


def load() -> tuple[list, dict]:
    blank = Path("bench/out/quality/blank-selector.json")
    empty = Selector(fit._placeholder(fit.FEATURES), fit._placeholder(fit.signal_names(fit.FEATURES)), 0.0, {})
    blank.write_text(json.dumps(empty.to_dict()))
    items, stores = [], {}
    for name in SETS:
        folder = Path("bench/out/quality") / name
        settings = Settings(corpus=folder / "corpus", index=folder / "index")
        qa = open_qa(settings.model_copy(update={"query_cache": 20_000, "selector_model": blank}))
        stores[name] = qa.store
        items += fit.cached_collect(name, qa)
    return items, stores


def groups(items: list, scorer: fit.Scorer, stores: dict, top: int, training: bool) -> list[tuple]:
    """(item, candidate positions, pair texts, labels) of each question's `top` best candidates by the selector."""
    out = []
    for item in items:
        if not len(item.rows):
            continue
        order = np.argsort(-scorer(item), kind="stable")[:top]
        if training:
            if not item.labels.any():
                continue
            if not item.labels[order].any():
                order = np.concatenate([order[:-1], [np.flatnonzero(item.labels)[0]]])
        store = stores[item.set]
        texts = [pair_text(store, int(item.ids[i])) for i in order]
        out.append((item, order, texts, item.labels[order]))
    return out


def train(train_groups: list, epochs: int, lr: float, batch: int, seed: int, stop_after: int) -> "Module":
    """Fine-tune for `epochs` (the learning rate's schedule), stopping after `stop_after` of them; each epoch's model
    is saved to bench/out/reranker/model."""
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    torch.manual_seed(seed)
    random.seed(seed)
    path = resolve_model(DEFAULT_MODEL)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    model.train()
    steps = epochs * ((len(train_groups) + batch - 1) // batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
    began, step = time.perf_counter(), 0
    for epoch in range(min(epochs, stop_after or epochs)):
        order = list(range(len(train_groups)))
        random.Random(seed + epoch).shuffle(order)
        for b in range(0, len(order), batch):
            chunk = [train_groups[i] for i in order[b : b + batch]]
            questions = [g[0].query for g in chunk for _ in g[2]]
            texts = [t for g in chunk for t in g[2]]
            encoded = tokenizer(questions, texts, truncation="only_second", max_length=MAX_TOKENS, padding=True,
                                return_tensors="pt")  # fmt: skip
            logits = model(**encoded).logits.reshape(-1)
            loss, at = 0.0, 0
            for g in chunk:
                n = len(g[2])
                target = torch.tensor(g[3] / g[3].sum(), dtype=torch.float32)
                loss = loss - (target * torch.log_softmax(logits[at : at + n], dim=0)).sum()
                at += n
            loss = loss / len(chunk)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0:
                print(f"  epoch {epoch + 1} step {step}/{steps} loss {float(loss):.3f} "
                      f"{time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
        model.save_pretrained(WORK / "model")
        tokenizer.save_pretrained(WORK / "model")
    model.eval()
    return model


def export(model: "Module", out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    sample = {name: torch.ones((2, 16), dtype=torch.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
    plain = WORK / "reranker-fp32.onnx"
    torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(plain),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={n: {0: "batch", 1: "tokens"} for n in sample} | {"logits": {0: "batch"}},
                      opset_version=17, dynamo=False)  # fmt: skip
    quantize_dynamic(str(plain), str(out), weight_type=QuantType.QInt8)


def top1(scored: list[tuple], weight: float, k: int = 0) -> float:
    """Share of answerable questions whose best candidate, by selector logit + weight * reranker logit over the
    selector's best k (all that were read by default), is gold."""
    hits = []
    for item, base, reranked, labels in scored:
        if item.question.kind != "answerable":
            continue
        k_ = k or len(labels)
        hits.append(bool(labels[int(np.argmax(base[:k_] + weight * reranked[:k_]))]) if len(labels) else False)
    return float(np.mean(hits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--top", type=int, default=8, help="candidates per question in training, and read in measuring")
    parser.add_argument("--read", type=int, default=4, help="candidates the answers read (Settings.rerank_top): the "
                        "weight is chosen for them")
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--batch", type=int, default=4, help="questions per step")
    parser.add_argument("--seed", type=int, default=fit.SEED)
    parser.add_argument("--stop-after", type=int, default=0, help="stop after this many epochs (of --epochs' schedule)")
    parser.add_argument("--trained", action="store_true", help="export and measure the model an earlier run saved "
                        "in bench/out/reranker/model instead of training")
    parser.add_argument("--limit", type=int, default=0, help="train on this many groups only (a smoke test)")
    parser.add_argument("--out", type=Path, default=Path("server/answer/reranker.onnx"))
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    items, stores = load()
    fitting = [i for i in items if i.fitting]
    trained_on = [i for i in fitting if fit.fold_of(i) != 4]
    validation = [i for i in fitting if fit.fold_of(i) == 4]
    held = [i for i in items if not i.fitting]
    scorer = fit.listwise(trained_on, 0.01)
    train_groups = groups(trained_on, scorer, stores, args.top, training=True)
    train_groups = train_groups[: args.limit] if args.limit else train_groups
    print(f"{len(train_groups)} training groups of {args.top}", flush=True)
    if args.trained:
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained(WORK / "model").eval()
    else:
        model = train(train_groups, args.epochs, args.lr, args.batch, args.seed, args.stop_after)
    export(model, args.out)

    from server.answer.rerank import Reranker

    reranker = Reranker(args.out, weight=1.0)  # the weight is chosen below

    def scored(part: list) -> list[tuple]:
        out = []
        for item, order, texts, labels in groups(part, scorer, stores, args.top, training=False):
            out.append((item, scorer(item)[order], reranker.logits(item.query, texts), labels))
        return out

    valid = scored(validation)
    weights = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    chosen = max(weights, key=lambda w: (top1(valid, w, args.read), -w))
    print("fold 4 (unseen articles) top-1 by weight:", {w: round(top1(valid, w, args.read), 4) for w in weights})
    report = {"weight": chosen, "top": args.top, "epochs": args.epochs, "stop_after": args.stop_after or args.epochs,
              "lr": args.lr, "seed": args.seed, "command": "python bench/train_reranker.py " + " ".join(a for a in sys.argv[1:] if a != "--trained"),
              "read": args.read,
              "trained_groups": len(train_groups), "validation_top1": {w: round(top1(valid, w, args.read), 4) for w in weights}}  # fmt: skip
    for name, part in [("fold 4", valid)] + [(n, scored([i for i in held if i.set == n])) for n in SETS]:
        found = {"selector": round(top1(part, 0.0), 4)} | {
            f"reranked_top{k}": round(top1(part, chosen, k), 4) for k in sorted({2, 3, 4, 6, args.read, args.top})}
        report[f"held_{name}" if name in SETS else "fold_4"] = found
        print(f"{name} top-1 (held out):", found, flush=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
