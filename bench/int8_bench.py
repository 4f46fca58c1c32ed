"""Is the int8 MiniLM the float32 one? Vectors, speed and memory of the two embedding backends.

    python bench/int8_bench.py [--sentences 4000] [--runs 3] [--no-candidates]

On distinct ECB+ dev sentences (../shared/data/ecbplus/dev_topics_1-35.jsonl, read with
factcheck.ecb; a fixed random sample of --sentences, 0 for all), each backend runs in a fresh
process (so its peak RSS is its own): the model is loaded with ``embed.load_model(package,
backend)``, warmed up on one batch, and the sample is encoded --runs times with ``embed.encode``
(the pipeline's call: batch size 64, torch's default threads, as the pipeline runs it). Printed:
per-sentence cosine between the float32 and int8 vectors (min, mean, 1st percentile, and the
lowest sentences), sentences/s of each backend (median of the runs) and their ratio, and the
peak RSS of each process. Targets: min cosine >= 0.995, int8 >= 1.6x float32.

Then the candidates the choice was made among, each encoded once in this process on the same
sample against one float32 run: PyTorch's ``quantize_dynamic`` of the Linear layers (weights per
tensor as it defaults to, per channel, and on subsets of the layers) and embed.quantize_int8 with
every Linear quantized, with the value projections kept float32, and as the int8 backend runs it
(embed.INT8_KEEP_FLOAT: the value projections and layer 4's feed-forward input kept float32).
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck import ecb, embed  # noqa: E402
from factcheck.config import Settings  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"
BATCH = Settings().batch_size
PACKAGE = Settings().model_package


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences(n: int) -> tuple[list[str], int]:
    distinct = sorted({s.text for a in ecb.load(ECB) for s in a.sentences if s.text})
    pick = distinct if not n or n >= len(distinct) else random.Random(0).sample(distinct, n)
    return pick, len(distinct)


def worker(backend: str, texts_file: Path, out: Path, runs: int) -> None:
    """One backend in this process: load, warm up, time ``runs`` encodes, save the vectors."""
    import torch

    warnings.filterwarnings("ignore")
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    t = time.perf_counter()
    embed.load_model(PACKAGE, backend)
    load = time.perf_counter() - t
    embed.encode(texts[:BATCH], package=PACKAGE, backend=backend, batch_size=BATCH)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        vectors = embed.encode(texts, package=PACKAGE, backend=backend, batch_size=BATCH)
        times.append(time.perf_counter() - t)
    np.save(out, vectors)
    print(json.dumps({"times": times, "load": load, "peak_mb": peak_mb(), "threads": torch.get_num_threads()}))


def run_worker(backend: str, texts_file: Path, work: Path, runs: int) -> tuple[dict, np.ndarray]:
    out = work / f"{backend}.npy"
    proc = subprocess.run([sys.executable, __file__, "--worker", backend, "--texts", str(texts_file),
                           "--out", str(out), "--runs", str(runs)], capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"the {backend} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), np.load(out)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def candidates(texts: list[str], ref: np.ndarray) -> None:
    """Each candidate encoded once in this process; speed against one float32 run here."""
    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

    warnings.filterwarnings("ignore")
    base = embed.load_model(PACKAGE)

    def timed(model) -> tuple[np.ndarray, float]:
        t = time.perf_counter()
        v = model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
        return v, time.perf_counter() - t

    _, fp32 = timed(base)
    linears = [n for n, m in base[0].model.named_modules() if isinstance(m, torch.nn.Linear) and n != "pooler.dense"]

    def dynamic(qconfig, keep=lambda name: True):
        def build():
            model = copy.deepcopy(base)
            quantize_dynamic(model[0].model, {n: qconfig for n in linears if keep(n)}, inplace=True)
            return model
        return build

    def per_token(keep_float):
        return lambda: embed.quantize_int8(copy.deepcopy(base), keep_float)

    rows = [
        ("quantize_dynamic, all Linear, weights per tensor (default)", dynamic(default_dynamic_qconfig)),
        ("quantize_dynamic, all Linear, weights per channel", dynamic(per_channel_dynamic_qconfig)),
        ("quantize_dynamic per channel, attention only (q, k, v, out)",
         dynamic(per_channel_dynamic_qconfig, lambda n: ".attention." in n)),
        ("quantize_dynamic per channel, q, k and attention out only",
         dynamic(per_channel_dynamic_qconfig, lambda n: ".attention." in n and not n.endswith("value"))),
        ("quantize_dynamic per channel, all but feed-forward out and value",
         dynamic(per_channel_dynamic_qconfig, lambda n: not n.endswith(("value", "output.dense"))
                 or n.endswith("attention.output.dense"))),
        ("quantize_dynamic per channel, layers 0-2 only",
         dynamic(per_channel_dynamic_qconfig, lambda n: n.startswith(("encoder.layer.0.", "encoder.layer.1.",
                                                                       "encoder.layer.2.")))),
        ("per-token int8 (embed.quantize_int8), every Linear", per_token(("pooler.dense",))),
        ("per-token int8, value projections float32", per_token(("attention.self.value", "pooler.dense"))),
        ("per-token int8, value and layer 4 FFN-in float32 (the int8 backend)", per_token(embed.INT8_KEEP_FLOAT)),
    ]
    print(f"candidates (one encode each, this process; float32 here {fp32:.2f} s):")
    for label, build in rows:
        vectors, seconds = timed(build())
        c = cosines(ref, vectors)
        ok = "passes" if c.min() >= 0.995 and fp32 / seconds >= 1.3 else "fails"
        print(f"  {label:70s} min cos {c.min():.4f}  mean {c.mean():.5f}  speed {fp32 / seconds:.2f}x  ({ok} "
              f"min >= 0.995 at >= 1.3x)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=4000, help="sample size (0: every distinct sentence)")
    ap.add_argument("--runs", type=int, default=3, help="timed encodes per backend (the median is printed)")
    ap.add_argument("--no-candidates", action="store_true", help="skip the table of candidates")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.texts, args.out, args.runs)
        return
    texts, distinct = sentences(args.sentences)
    with tempfile.TemporaryDirectory(prefix="int8-bench-") as tmp:
        work = Path(tmp)
        (work / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        stats, vectors = {}, {}
        for backend in ("torch", "int8"):
            stats[backend], vectors[backend] = run_worker(backend, work / "texts.json", work, args.runs)
    what = "every distinct sentence" if len(texts) == distinct else f"a fixed sample of {distinct} distinct"
    print(f"ECB+ dev: {len(texts)} sentences ({what}), batch {BATCH}, "
          f"torch threads {stats['torch']['threads']}, {args.runs} runs per backend, each in its own process")
    speed = {}
    for backend in ("torch", "int8"):
        s = stats[backend]
        speed[backend] = len(texts) / statistics.median(s["times"])
        print(f"{backend:5s}: {speed[backend]:6.1f} sentences/s (median of {', '.join(f'{t:.2f}' for t in s['times'])} s); "
              f"model load {s['load']:.1f} s; peak RSS {s['peak_mb']:,.0f} MB")
    ratio = speed["int8"] / speed["torch"]
    c = cosines(vectors["torch"], vectors["int8"])
    print(f"speed int8/torch: {ratio:.2f}x (target >= 1.6x)")
    print(f"cosine int8 to torch, per sentence: min {c.min():.4f}, mean {c.mean():.5f}, "
          f"1st percentile {np.percentile(c, 1):.4f} (target min >= 0.995)")
    for i in np.argsort(c)[:3]:
        print(f"  lowest {c[i]:.4f}: {texts[i][:90]!r}")
    verdict = c.min() >= 0.995 and ratio >= 1.6
    print(f"int8 {'meets' if verdict else 'misses'} the targets (min cosine >= 0.995, speed >= 1.6x)", flush=True)
    if not args.no_candidates:
        candidates(texts, vectors["torch"])


if __name__ == "__main__":
    main()
