"""Benchmark: metadata auto-fill accuracy per field and time per document (issue 8).

Runs the same code as `vanban extract FILE --json` over the labelled set built by
bench/extraction_set.py (built first when missing) and compares every field with its
label: text fields after NFC, white-space collapsing and case folding; the date as ISO;
a null label expects null. The document types come from the built-in ND30 catalogue.
Prints one line per wrong document with --verbose, then per-field accuracy, by form
(text-layer PDF or scan), and the time per document; the last line is one JSON object.

    .venv/bin/python bench/extraction.py [--set var/extraction-set] [--count 120] [--limit N] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vanban.extraction.engine import builtin_types, extract_with_meta
from vanban.extraction.rules import FIELDS
from vanban.extraction.samples import SEED, build_set


def norm(value: object) -> str:
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--set", default="var/extraction-set")
    p.add_argument("--count", type=int, default=120)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    folder = Path(args.set)
    if not (folder / "labels.json").exists():
        build_set(folder, args.count, seed=SEED)
    documents = json.loads((folder / "labels.json").read_text())["documents"]
    if args.limit:
        documents = documents[: args.limit]
    types = builtin_types()
    right = {f: 0 for f in FIELDS}
    by_form: dict[str, dict[str, list[int]]] = {}
    times: list[float] = []
    all_right = 0
    for row in documents:
        started = time.perf_counter()
        got, _meta = extract_with_meta(folder / row["name"], types=types)
        times.append(time.perf_counter() - started)
        form = "pdf-text" if row["form"] == "pdf" else "scan"
        wrong = {}
        for field in FIELDS:
            ok = norm(got[field]) == norm(row["labels"][field])
            right[field] += ok
            by_form.setdefault(form, {}).setdefault(field, []).append(int(ok))
            if not ok:
                wrong[field] = [row["labels"][field], got[field]]
        all_right += not wrong
        if args.verbose and wrong:
            print(row["name"], row["form"], row["dpi"], row["font"], json.dumps(wrong, ensure_ascii=False))
    n = len(documents)
    accuracy = {f: round(right[f] / n, 3) for f in FIELDS}
    forms = {
        form: {
            "documents": len(next(iter(fields.values()))),
            **{f: round(sum(v) / len(v), 3) for f, v in fields.items()},
        }
        for form, fields in by_form.items()
    }
    for field in FIELDS:
        print(f"{field:18} {accuracy[field]:.3f}  " + "  ".join(f"{k}={v[field]:.3f}" for k, v in forms.items()))
    summary = {
        "documents": n,
        "accuracy": accuracy,
        "mean_field_accuracy": round(statistics.fmean(accuracy.values()), 3),
        "documents_all_fields_right": round(all_right / n, 3),
        "by_form": forms,
        "seconds_per_document": {
            "mean": round(statistics.fmean(times), 3),
            "p50": round(statistics.median(times), 3),
            "max": round(max(times), 3),
        },
        "seed": SEED,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
