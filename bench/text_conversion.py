"""Benchmark: converting a megabyte of legacy-encoded Vietnamese text (TCVN3, VNI, VIQR)
to Unicode NFC, as the Unicode guard does for an uploaded file or extracted text.

No database: it times `vanban.documents.text.convert` on one megabyte per encoding.

    .venv/bin/python bench/text_conversion.py --repeat 10
"""

from __future__ import annotations

import argparse

import _common

BUDGET_MS = 2000.0  # a request's share: an upload is converted while the clerk waits


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=10)
    args = p.parse_args()

    from vanban.documents.tests.test_text_megabyte import MEGABYTE
    from vanban.documents.text import convert, tcvn3, viqr, vni

    rows = {}
    for name, module in (("tcvn3", tcvn3), ("vni", vni), ("viqr", viqr)):
        data = module.encode(MEGABYTE).encode("cp1252")
        assert convert(data).text == MEGABYTE, name
        rows[f"convert 1 MB {name}"] = _common.measure(lambda data=data: convert(data), args.repeat)
    _common.print_table(rows)
    worst = max(r["p95_ms"] for r in rows.values())
    print(f"budget p95 <= {BUDGET_MS:.0f} ms: {'met' if worst <= BUDGET_MS else 'NOT met'}")
    _common.emit({"benchmark": "text_conversion", "bytes": len(MEGABYTE.encode()), "budget_ms": BUDGET_MS,
                  "goal_met": worst <= BUDGET_MS, "conversions": rows, "peak_rss_mb": _common.peak_rss_mb()})


if __name__ == "__main__":
    main()
