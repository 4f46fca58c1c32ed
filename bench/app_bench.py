"""Dashboard timings on a hand-made store of 1,000 discrepancies (no models needed).

    python bench/app_bench.py [--n 1000]

Prints the first render (AppTest run of app.py, cold: new session, store opened) and the time to
record a review (Store.set_review, and the whole click-to-next-item rerun in the app).
Aims: first render under 3 s, recording a review under 0.3 s.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_RENDER_AIM = 3.0
REVIEW_AIM = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="discrepancies in the store (default 1000)")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from streamlit.testing.v1 import AppTest

    from factcheck.store import Store
    from tests.test_store import hand_made_run

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        run = hand_made_run(n_filler=max(args.n - 5, 0))
        t = time.perf_counter()
        store.save_run(**run)
        save_s = time.perf_counter() - t
        n = len(store.discrepancy_rows())
        os.environ["FACTCHECK_DB"] = store.url
        os.environ["FACTCHECK_SOURCES"] = str(Path(tmp) / "sources")

        t = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        first = time.perf_counter() - t
        assert not at.exception, at.exception
        t = time.perf_counter()
        at.run()
        again = time.perf_counter() - t

        ids = [r["discrepancy_id"] for r in store.discrepancy_rows()]
        direct = []
        for did in ids[100:120]:
            t = time.perf_counter()
            store.set_review(did, status="confirmed", note="bench", reviewer="bench",
                             expected_version=store.review(did)["version"])
            direct.append(time.perf_counter() - t)

        at.text_input(key="reviewer").set_value("bench").run()
        clicks = []
        for _ in range(5):
            t = time.perf_counter()
            at.button(key="act_confirmed").click().run()
            clicks.append(time.perf_counter() - t)
            assert not at.exception and not at.error, (at.exception, at.error)

    print(f"store: {n} discrepancies, {len(run['claim_records'])} claims, {len(run['source_records'])} sources "
          f"(save_run {save_s:.2f} s)")
    print(f"first render (AppTest, cold)     {first:6.2f} s   aim < {FIRST_RENDER_AIM:.1f} s  "
          f"{'ok' if first < FIRST_RENDER_AIM else 'SLOW'}")
    print(f"rerun (warm)                     {again:6.2f} s")
    print(f"record a review (Store)          {statistics.median(direct):6.3f} s   aim < {REVIEW_AIM:.1f} s  "
          f"{'ok' if statistics.median(direct) < REVIEW_AIM else 'SLOW'}  (median of {len(direct)})")
    print(f"click Confirm -> next item shown {statistics.median(clicks):6.2f} s   (median of {len(clicks)}, "
          "whole rerun)")


if __name__ == "__main__":
    main()
