"""Build the labelled set that measures metadata auto-fill (issue 8).

Documents in the ND30 Appendix I layout (reportlab; fonts from fonts-dejavu-core,
fonts-liberation2 and fonts-noto-core), about a quarter as PDFs with a text layer and
the rest scanned: rasterised by pdftoppm at 150-300 dpi, rotated up to ±1.5°, with
grain and specks, saved as PNG, JPEG or image-only PDF. labels.json holds the expected
value of every field. The seed is fixed (vanban.extraction.samples.SEED), so the same
command always builds the same set.

    .venv/bin/python bench/extraction_set.py [--out var/extraction-set] [--count 120] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vanban.extraction.samples import SEED, build_set


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="var/extraction-set")
    p.add_argument("--count", type=int, default=120)
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args()
    rows = build_set(Path(args.out), args.count, seed=args.seed)
    forms: dict[str, int] = {}
    for row in rows:
        forms[row["form"]] = forms.get(row["form"], 0) + 1
    print(json.dumps({"out": args.out, "documents": len(rows), "seed": args.seed, "forms": forms}))


if __name__ == "__main__":
    main()
