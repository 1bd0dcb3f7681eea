"""Benchmark: edXML build and parse of a ~370 KB document message (the format layer).

A message the size of the QCVN 102 samples (edoc_update.edxml is 369 544 bytes) is built
with `vanban.exchange.edxml.build_document` (lxml tree, base64 of a ~270 KB PDF-like
attachment, serialisation) and read back with `edxml.parse` (hardened parser, every
field, strict base64 decode). The real sample edoc_update.edxml (vanban/exchange/tests/
samples, or $VANBAN_EDXML_FIXTURES) is parsed too: its attachment is
a ZIP that the parser also unwraps (388 KB). The send → received + status 01 latency
over the transport comes with the transport; until then `send_to_status_ms` is null.

    .venv/bin/python bench/exchange.py [--repeat 200] [--database-url postgres://…]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import _common

ATTACHMENT_BYTES = 275_000  # base64 → ~367 KB: with the header, a ~370 KB message


def main() -> None:
    p = _common.parser(__doc__.split("\n")[0])
    p.set_defaults(repeat=200)
    args = p.parse_args()
    url = _common.setup_django(args.database_url, "bench-exchange.sqlite3")

    from vanban.exchange import edxml
    from vanban.exchange.messages import VIETNAM

    # Incompressible, deterministic bytes behind a PDF header: base64 cannot shrink them.
    blob = bytearray(b"%PDF-1.7\n")
    counter = 0
    while len(blob) < ATTACHMENT_BYTES:
        blob += hashlib.sha256(counter.to_bytes(8, "big")).digest()
        counter += 1
    pdf = bytes(blob[:ATTACHMENT_BYTES])
    message = edxml.EdocMessage(
        from_organ=edxml.OrganInfo(organ_id="000.00.00.G02", organization_in_charge="Bộ Công Thương",
                                   organ_name="Bộ Công Thương", organ_add="54 Hai Bà Trưng, Hoàn Kiếm, Hà Nội"),
        to_organs=[edxml.OrganInfo(organ_id=f"000.00.00.H{n:02d}", organ_name=f"UBND tỉnh số {n}",
                                   organization_in_charge=f"UBND tỉnh số {n}") for n in range(10, 15)],
        document_id="000.00.00.G02,2026/11/25,1234/BCT-XNK",
        code_number="1234", code_notation="BCT-XNK", promulgation_place="Hà Nội",
        promulgation_date=dt.date(2026, 11, 25), document_type=1, document_type_detail=0,
        document_type_name="Công văn", subject="V/v báo cáo tình hình xuất khẩu gạo năm 2026",
        content="V/v báo cáo tình hình xuất khẩu gạo năm 2026",
        signer=edxml.SignerInfo(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng", full_name="Nguyễn Sinh Nhật Tân"),
        other=edxml.OtherInfo(priority=1, page_amount=12, direction=False),
        to_places=["Như trên", "Lưu: VT, XNK"],
        trace_headers=[edxml.TraceHeader("000.00.00.G02", dt.datetime(2026, 11, 25, 9, 30, tzinfo=VIETNAM))],
        business=edxml.Business(business_doc_type=0, reason="Văn bản điện tử mới", paper=0),
        attachments=[edxml.Attachment(content_id="3f1c0a52-0000-4000-8000-000000000001", name="1234-BCT-XNK.pdf",
                                      description="1234-BCT-XNK.pdf", content_type="application/pdf", data=pdf)],
    )  # fmt: skip
    data = edxml.build_document(message)
    assert edxml.parse(data) == message, "round trip"
    build = _common.measure(lambda: edxml.build_document(message), args.repeat, warmup=3)
    parse = _common.measure(lambda: edxml.parse(data), args.repeat, warmup=3)

    fixtures = Path(os.environ.get("VANBAN_EDXML_FIXTURES") or _common.ROOT / "vanban/exchange/tests/samples")
    sample_path = fixtures / "edoc_update.edxml"
    sample = None
    if sample_path.is_file():
        sample_bytes = sample_path.read_bytes()
        sample = _common.measure(lambda: edxml.parse(sample_bytes), args.repeat, warmup=3)
        sample["bytes"] = len(sample_bytes)

    result = {
        "benchmark": "exchange",
        "engine": _common.engine(),
        "database": url.split("@")[-1],
        "message_bytes": len(data),
        "attachment_bytes": len(pdf),
        "build": build,
        "parse": parse,
        "parse_sample_edoc_update": sample,
        "build_ms": build["p50_ms"],
        "build_p95_ms": build["p95_ms"],
        "parse_ms": parse["p50_ms"],
        "parse_p95_ms": parse["p95_ms"],
        "send_to_status_ms": None,
    }
    print(f"edXML document message of {len(data)} bytes ({len(pdf)}-byte attachment), {args.repeat} runs each:")
    _common.print_table({"build_document": build, "parse": parse, **({"parse edoc_update.edxml": sample} if sample else {})})
    _common.emit(result)


if __name__ == "__main__":
    main()
