"""Benchmark: edXML build and parse of a ~370 KB document message (the format layer).

A message the size of the QCVN 102 samples (edoc_update.edxml is 369 544 bytes) is built
with `vanban.exchange.edxml.build_document` (lxml tree, base64 of a ~270 KB PDF-like
attachment, serialisation) and read back with `edxml.parse` (hardened parser, every
field, strict base64 decode). The real sample edoc_update.edxml (vanban/exchange/tests/
samples, or $VANBAN_EDXML_FIXTURES) is parsed too: its attachment is
a ZIP that the parser also unwraps (388 KB).

Send → received + status 01 back (`send_to_status_ms`, p50/p95 in `send_to_status`):
the benchmark database is the ministry, served by `vanban runserver` in a subprocess; a
second vanban instance (the province: its own VANBAN_VAR_DIR and SQLite database,
migrated and seeded with `vanban exchange seed-peer`, `runserver` + `vanban worker`) runs
on loopback. Each round POSTs a fresh ~370 KB document message to the province's inbox
(HttpTransport, as the outbox does) and waits until the province's worker has delivered
status 01 back into the ministry's database. The province's worker polls its outbox
every `worker_poll_s` seconds, which bounds part of the figure.

    .venv/bin/python bench/exchange.py [--repeat 200] [--loopback 20] [--database-url postgres://…]
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
    p.add_argument("--loopback", type=int, default=20, help="send → status 01 rounds over loopback (0: skip)")
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
    if args.loopback > 0:
        latency = send_to_status(message, url, args.loopback)
        result.update({"send_to_status": latency, "send_to_status_ms": latency["p50_ms"],
                       "send_to_status_p95_ms": latency["p95_ms"], "worker_poll_s": WORKER_POLL})
    print(f"edXML document message of {len(data)} bytes ({len(pdf)}-byte attachment), {args.repeat} runs each:")
    _common.print_table({"build_document": build, "parse": parse, **({"parse edoc_update.edxml": sample} if sample else {}),
                         **({"send → status 01": result["send_to_status"]} if args.loopback > 0 else {})})
    _common.emit(result)


WORKER_POLL = 0.1
TOKEN_TO_PROVINCE = "bench-ministry-to-province-token"
TOKEN_TO_MINISTRY = "bench-province-to-ministry-token"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 90) -> None:
    import time

    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def send_to_status(message: object, database_url: str, rounds: int) -> dict[str, object]:
    import dataclasses
    import subprocess
    import sys
    import tempfile
    import time

    from vanban.exchange import edxml, partners
    from vanban.exchange.models import Partner, ReceivedMessage
    from vanban.exchange.transport import HttpTransport
    from vanban.organisation import services as organisation
    from vanban.organisation.models import Organ

    if not Organ.objects.filter(organ_id="000.00.00.G02").exists():
        organisation.create_organ(actor=None, organ_id="000.00.00.G02", name="Bộ Công Thương", short_name="BCT",
                                  is_own=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VANBAN_DATABASE_URL", "VANBAN_VAR_DIR"))}
    base["PYTHONPATH"] = str(_common.ROOT)
    ministry_port, province_port = _free_port(), _free_port()
    ministry_url, province_url = f"http://127.0.0.1:{ministry_port}", f"http://127.0.0.1:{province_port}"
    data = partners.PartnerData(organ_id="000.00.00.H41", name="UBND tỉnh Nghệ An", endpoint=province_url,
                                inbound_token=TOKEN_TO_MINISTRY, outbound_token=TOKEN_TO_PROVINCE)
    partner = Partner.objects.filter(organ_id="000.00.00.H41").first()
    if partner is None:
        partner = partners.create_partner(actor=None, data=data)
    else:
        partner = partners.update_partner(actor=None, partner=partner, data=data)
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="vanban-bench-province-") as tmp:
        province_env = {**base, "VANBAN_VAR_DIR": tmp, "VANBAN_DATABASE_URL": f"sqlite:///{tmp}/province.sqlite3",
                        "VANBAN_EXCHANGE_POLL_SECONDS": str(WORKER_POLL), "VANBAN_LOG_LEVEL": "WARNING"}
        ministry_env = {**base, "VANBAN_DATABASE_URL": database_url, "VANBAN_LOG_LEVEL": "WARNING",
                        "VANBAN_VAR_DIR": os.environ.get("VANBAN_VAR_DIR", str(_common.ROOT / "var"))}
        cli = [sys.executable, "-m", "vanban.cli"]
        subprocess.run([*cli, "migrate", "--noinput", "-v", "0"], env=province_env, check=True)
        subprocess.run([*cli, "exchange", "seed-peer", "--organ-id", "000.00.00.H41", "--organ-name",
                        "UBND tỉnh Nghệ An", "--partner-id", "000.00.00.G02", "--partner-name", "Bộ Công Thương",
                        "--partner-endpoint", ministry_url, "--inbound-token", TOKEN_TO_PROVINCE,
                        "--outbound-token", TOKEN_TO_MINISTRY], env=province_env, check=True, capture_output=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        try:
            procs.append(subprocess.Popen([*cli, "runserver", f"127.0.0.1:{ministry_port}", "--noreload"],
                                          env=ministry_env, **quiet))
            procs.append(subprocess.Popen([*cli, "runserver", f"127.0.0.1:{province_port}", "--noreload"],
                                          env=province_env, **quiet))
            procs.append(subprocess.Popen([*cli, "worker", "--interval", "0.5"], env=province_env, **quiet))
            _wait_http(f"{ministry_url}/healthz")
            _wait_http(f"{province_url}/healthz")
            transport = HttpTransport(timeout=30)
            samples: list[float] = []
            stamp = time.strftime("%H%M%S")
            for n in range(rounds + 1):  # the first round warms both servers up
                document_id = f"000.00.00.G02,2026/11/25,{n}-{stamp}/BCT-BENCH"
                to = [dataclasses.replace(message.to_organs[0], organ_id="000.00.00.H41")]  # type: ignore[attr-defined]
                body = edxml.build_document(dataclasses.replace(message, document_id=document_id, to_organs=to))  # type: ignore[type-var]
                start = time.perf_counter()
                result = transport.send(partner, body, message_id=document_id)
                assert result.ok, result.detail
                deadline = time.monotonic() + 60
                while not ReceivedMessage.objects.filter(kind="status", status_code="01",
                                                         document_id=document_id).exists():
                    if time.monotonic() > deadline:
                        raise SystemExit("status 01 did not come back within 60 s")
                    time.sleep(0.005)
                if n:
                    samples.append((time.perf_counter() - start) * 1000)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=15)
    return _common.summarise(samples)


if __name__ == "__main__":
    main()
