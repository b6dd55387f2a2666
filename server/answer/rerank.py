"""The cross-encoder reranker: the question and a candidate sentence read together by a fine-tuned MiniLM (int8 ONNX,
made by bench/train_reranker.py); its logit joins the selector's for the best few candidates. No torch."""

import json
from functools import cache
from pathlib import Path

import numpy as np

from index.embed import DEFAULT_MODEL, resolve_model
from index.runtime import open_session
from index.store import Store

MODEL = Path(__file__).with_name("reranker.onnx")
MAX_TOKENS = 128  # question and candidate together; the candidate is cut first


def pair_text(store: Store, sid: int) -> str:
    """What the reranker reads of a candidate: its section trail, then the sentence."""
    passage = store.passages[int(store.sentence_passage[sid])]
    text = " ".join(store.sentences[sid].text.split())
    return f"{passage.trail}: {text}" if passage.trail else text


class Reranker:
    """Logits of (question, candidate) pairs from the model file, tokenized as the bundled model's tokenizer does."""

    def __init__(self, path: Path, weight: float | None = None) -> None:
        from tokenizers import Tokenizer

        # What its logit weighs beside the selector's, chosen on articles neither had seen (bench/train_reranker.py,
        # which writes it beside the model).
        if weight is None:
            weight = float(json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["weight"])
        self.weight = weight
        # The reranker was fine-tuned from the bundled MiniLM and reads its vocabulary, whatever model embeds.
        self.tokenizer = Tokenizer.from_file(str(Path(resolve_model(DEFAULT_MODEL)) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        self.tokenizer.enable_padding()
        self.session = open_session(path.parent, {"session.intra_op.allow_spinning": "1",
                                                  "session.force_spinning_stop": "1"}, file=path.name)  # fmt: skip

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        encoded = self.tokenizer.encode_batch([(question, text) for text in texts])
        feed = {"input_ids": [e.ids for e in encoded], "attention_mask": [e.attention_mask for e in encoded],
                "token_type_ids": [e.type_ids for e in encoded]}  # fmt: skip
        out = self.session.run(None, {k: np.asarray(v, dtype=np.int64) for k, v in feed.items()})[0]
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def rerank(self, store: Store, question: str, ids: np.ndarray, logits: np.ndarray, top: int) -> np.ndarray:
        """The selector's logits with the reranker's, centred and weighted, added for its `top` best candidates."""
        best = np.argsort(-logits, kind="stable")[:top]
        extra = self.logits(question, [pair_text(store, int(ids[i])) for i in best])
        out = logits.astype(np.float32, copy=True)
        if len(best):
            out[best] += self.weight * (extra - extra.mean())
        return out


@cache
def shipped() -> Reranker | None:
    """The model file in the repository, opened once per process; None where there is none."""
    return Reranker(MODEL) if MODEL.exists() else None
