"""The ONNX export answers questions with the model's own vectors, without importing torch."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from index.build import BuildReport
from index.embed import Embedder
from index.runtime import ONNX_FILE, OnnxEncoder, document_encoder, export_folder
from index.store import Store
from server.engine import build, open_qa
from server.settings import Settings

TEXTS = [
    "What is CAR-T cell therapy?",
    "Is it still maturing?",
    "Adeno-associated viruses (AAVs) infect cells efficiently — without integrating permanently.",
    " ".join(["Viral vectors are grown in living cells inside bioreactors."] * 60),  # past the 256-token limit
]


def test_build_exports_the_model_once_per_index(settings: Settings, built: BuildReport) -> None:
    folder = export_folder(settings.index, settings.model)
    assert (folder / ONNX_FILE).stat().st_size > 1_000_000 and (folder / "tokenizer.json").exists()


def test_exported_encoder_gives_the_models_vectors(settings: Settings, embedder: Embedder, built: BuildReport) -> None:
    onnx = OnnxEncoder(export_folder(settings.index, settings.model), settings.model)
    expected = embedder.encode(TEXTS)
    batch = onnx.encode(TEXTS)  # padded together
    one_by_one = np.stack([onnx.encode([t])[0] for t in TEXTS])
    assert batch.shape == expected.shape and onnx.dim == embedder.dim
    assert np.min(np.sum(batch * expected, axis=1)) > 0.9999
    assert np.min(np.sum(one_by_one * expected, axis=1)) > 0.9999


def test_answering_uses_the_export_unless_told_not_to(settings: Settings, built: BuildReport) -> None:
    assert isinstance(open_qa(settings).embedder, OnnxEncoder)
    assert isinstance(open_qa(settings.model_copy(update={"fast_queries": False})).embedder, Embedder)


def test_answering_from_the_export_imports_no_torch(settings: Settings, built: BuildReport) -> None:
    code = ("import sys; from server.engine import open_qa; from server.settings import Settings; "
            f"qa = open_qa(Settings(index={str(settings.index)!r})); "
            "assert qa.ask('Where are viral vectors grown?').answered; print('torch' in sys.modules)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"


def test_encoder_threads_spin_only_in_a_lone_server_process(settings: Settings, built: BuildReport) -> None:
    def spinning(workers: int) -> str:
        session = open_qa(settings.model_copy(update={"workers": workers})).embedder.session
        return session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning")

    assert spinning(1) == "1"
    assert spinning(2) == "0"


def test_many_texts_are_encoded_in_length_buckets_in_their_order(settings: Settings, embedder: Embedder,
                                                                 built: BuildReport) -> None:  # fmt: skip
    onnx = OnnxEncoder(export_folder(settings.index, settings.model), settings.model)
    texts = [f"{'Gene therapy ' * (i % 7)}sentence number {i} about vectors." for i in range(70)] + TEXTS
    vectors = onnx.encode(texts, batch_size=8)
    assert np.min(np.sum(vectors * embedder.encode(texts), axis=1)) > 0.9999


def test_a_cpu_build_embeds_documents_with_the_export(tmp_path: Path, embedder: Embedder) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.txt").write_text("Lentiviruses integrate into the genome of dividing cells.\n")
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    report = build(settings)  # no embedder given: the export is made first, then embeds
    assert (export_folder(settings.index, settings.model) / ONNX_FILE).exists() and report.embedded == 1
    assert isinstance(document_encoder(settings.index, settings.model), OnnxEncoder)
    store = Store.open(settings.index, settings.model, settings.max_passage_chars)
    expected = embedder.encode(["Lentiviruses integrate into the genome of dividing cells."])
    assert float(store.sentence_vectors[0] @ expected[0]) > 0.9999
