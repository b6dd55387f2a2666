"""The query encoder without torch: the index's model exported to ONNX once, run by onnxruntime.

Loading sentence-transformers means importing torch and transformers (seconds); answering one question needs only
its vector. The export holds the whole pipeline (BERT, mean pooling, normalization), so the vectors are the model's.
"""

import re
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.embed import Embedder, QueryCache, resolve_model

if TYPE_CHECKING:
    import onnxruntime

ONNX_FILE = "encoder.onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_folder(root: Path, model: str) -> Path:
    """Where an index root keeps the export of one model (shared by its versions)."""
    return root / "models" / re.sub(r"[^\w.-]+", "_", model)


def export(embedder: Embedder, folder: Path) -> None:
    """Write the embedder's model as ONNX with its tokenizer into folder (atomically: all or nothing)."""
    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    source = Path(resolve_model(embedder.name))
    work = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # A padded batch, so the traced attention takes its masked path, which also serves unpadded inputs.
    sample = embedder.model.tokenizer(["a short question", "a longer example question with more words"],
                                      padding=True, return_tensors="pt")  # fmt: skip
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's and the legacy exporter's notices, about code paths not taken
        inputs = tuple(sample[k].to(embedder.model.device) for k in INPUTS)  # the model may sit on a GPU
        torch.onnx.export(Pipeline(embedder.model[0].auto_model.eval()), inputs,
                          str(work / ONNX_FILE), input_names=list(INPUTS), output_names=["embedding"],
                          dynamic_axes={k: {0: "batch", 1: "tokens"} for k in INPUTS}, opset_version=17,
                          dynamo=False)  # fmt: skip
    shutil.copy(source / "tokenizer.json", work / "tokenizer.json")
    (work / "max_tokens").write_text(str(embedder.model.max_seq_length))
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)


def exportable(embedder: Embedder) -> bool:
    """Only a BERT-style model with mean pooling and normalization, from a local folder, is exported."""
    folder = Path(resolve_model(embedder.name))
    modules = [type(m).__name__ for m in embedder.model]
    pooling = embedder.model[1] if len(modules) > 1 else None
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(pooling, "pooling_mode_mean_tokens", False)
    return (folder / "tokenizer.json").exists() and modules[1:] == ["Pooling", "Normalize"] and bool(mean)


def open_session(folder: Path, config: dict[str, str], file: str = ONNX_FILE) -> "onnxruntime.InferenceSession":
    """An onnxruntime session (CPU) of the model file in folder (the export), with these session config entries."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    for key, value in config.items():
        options.add_session_config_entry(key, value)
    return onnxruntime.InferenceSession(str(folder / file), options, providers=["CPUExecutionProvider"])


class OnnxEncoder(QueryCache):
    """Encodes questions with the exported model; same interface as Embedder for answering."""

    def __init__(self, folder: Path, name: str, cache_size: int = 1024, spin: bool = True) -> None:
        from tokenizers import Tokenizer

        super().__init__(cache_size)
        self.name = name
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(int((folder / "max_tokens").read_text()))
        self.tokenizer.enable_padding()
        # The worker threads spin between the model's operators while a question is encoded (waking a sleeping thread
        # for each of them cost ~1 ms of a ~5 ms encoding here), and stop spinning when it is done, so they take no
        # CPU from the rest of the answer or the server. Not with spin=False: where several processes encode at
        # once (server workers), threads spinning for a core another process holds only slow both down.
        self.session = open_session(folder, {"session.intra_op.allow_spinning": "1" if spin else "0",
                                             "session.force_spinning_stop": "1"})  # fmt: skip
        self.dim = int(self.session.get_outputs()[0].shape[1] or self.encode(["x"]).shape[1])

    def encode(self, texts: list[str], progress: bool = False, batch_size: int = 32) -> np.ndarray:
        """Unit vectors of texts, in their order. Many texts are encoded in batches of similar length (sorted by
        length first), so that little of each batch is padding."""
        if len(texts) <= batch_size:
            return self._batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(order), batch_size)
        for start in tqdm(starts, desc="Embedding", unit="batch", disable=not progress):
            batch = order[start : start + batch_size]
            vectors[batch] = self._batch([texts[i] for i in batch])
        return vectors

    def _batch(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        feed = {"input_ids": [e.ids for e in encoded], "attention_mask": [e.attention_mask for e in encoded],
                "token_type_ids": [e.type_ids for e in encoded]}  # fmt: skip
        vectors = self.session.run(None, {k: np.asarray(v, dtype=np.int64) for k, v in feed.items()})[0]
        return np.ascontiguousarray(vectors, dtype=np.float32)


def document_encoder(root: Path, model: str) -> "OnnxEncoder | Embedder":
    """What a build embeds documents with on the CPU: the index root's ONNX export of the model (about three times
    the texts a second of sentence-transformers here, the same vectors), made first if there is none; the model
    itself when it can't be exported."""
    found = query_encoder(root, model, cache_size=0, spin=False)
    if found is not None:
        return found
    embedder = Embedder(model)
    if not exportable(embedder):
        return embedder
    try:
        export(embedder, export_folder(root, model))
    except Exception:  # noqa: BLE001 - the export is an optimisation; the model embeds as well, only slower
        return embedder
    return query_encoder(root, model, cache_size=0, spin=False) or embedder


def query_encoder(root: Path, model: str, cache_size: int = 1024, spin: bool = True) -> OnnxEncoder | None:
    """The exported encoder of an index root, if there is one."""
    folder = export_folder(root, model)
    return OnnxEncoder(folder, model, cache_size, spin) if (folder / ONNX_FILE).exists() else None
