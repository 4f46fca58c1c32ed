"""The bad-input corpus (tests/bad_inputs.py) as a table: each case, its outcome and its time.

    python bench/bad_inputs.py [--only WORDS]

Prints one row per case (group, case, what was expected, seconds, ok or what went wrong) and the
totals: tracebacks, cases over 60 s, the good article lost, and cases whose line was missing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.bad_inputs import baseline_claims, cases, run_case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="Run only cases whose name holds these words.")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.only.lower() in c.name.lower()]
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_claims(Path(tmp) / "baseline")
        print(f"good article alone: {base} claims; {len(chosen)} cases")
        print(f"{'group':<9} {'case':<46} {'expect':<6} {'s':>6}  outcome")
        outcomes = []
        for n, case in enumerate(chosen):
            o = run_case(case, Path(tmp) / f"case{n}", base)
            outcomes.append(o)
            said = next((ln for ln in o.lines if case.bad in ln), "")
            print(f"{case.group:<9} {case.name[:46]:<46} {case.expect:<6} {o.seconds:6.1f}  "
                  f"{'ok' if o.ok else '; '.join(o.problems)[:150]}{'  | ' + said[:110] if said and o.ok else ''}",
                  flush=True)
    print(f"\ncases {len(outcomes)}, ok {sum(o.ok for o in outcomes)}, tracebacks {sum(bool(o.traceback) for o in outcomes)}, "
          f"over 60 s {sum(o.seconds > 60 for o in outcomes)}, good article lost "
          f"{sum(any(p.startswith('good article') for p in o.problems) for o in outcomes)}, "
          f"slowest {max(o.seconds for o in outcomes):.1f} s")


if __name__ == "__main__":
    main()
