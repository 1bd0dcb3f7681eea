"""Benchmark: clerks registering incoming documents at the same time, each with a 1 MB PDF.

N clerks of the ministry (Văn thư Bộ) register documents into the same register, so
they all contend for the same counter row and the same audit chain head: the point is
throughput under that contention and that the numbers stay gapless and unique. Each
registration goes through `vanban.incoming.services.register_incoming`, the path the
web form and the API take (file checks, PDF page count and secrecy-stamp scan, duplicate
check, numbering, storage, audit), with a real PDF of about 1 MB whose bytes differ
per document and an issuing organ typed by name, looked up in a directory of a few
thousand outside organs. Afterwards the register, the audit events of the run and the
stored files are checked. Each run adds documents; the checks cover the whole register.

    .venv/bin/python bench/registration.py \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import queue
import random
import secrets
import sys
import time
from typing import Any

import _common

PDF_BYTES = 1024 * 1024
PDF_PAGES = 4
# A fixed-length placeholder in page 1's text: replacing it by a marker of the same
# length gives each document distinct bytes (so a distinct SHA-256) without moving
# the cross-reference offsets, and costs a copy instead of a new PDF per document.
MARK = b"#" * 32
BARRIER_TIMEOUT_S = 300
RESULT_TIMEOUT_S = 3600
CLERK_UNIT = "VP-HCVT"

# name typed by the clerk, notation of its documents, signer's position
SENDERS = [
    ("UBND tỉnh Nghệ An", "UBND-KT", "Phó Chủ tịch"),
    ("UBND thành phố Hải Phòng", "UBND-CT", "Chủ tịch"),
    ("UBND tỉnh Đồng Nai", "UBND-KTN", "Phó Chủ tịch"),
    ("Bộ Tài chính", "BTC-CST", "Thứ trưởng"),
    ("Bộ Kế hoạch và Đầu tư", "BKHĐT-KTCN", "Thứ trưởng"),
    ("Bộ Ngoại giao", "BNG-THKT", "Vụ trưởng"),
    ("Văn phòng Chính phủ", "VPCP-KTTH", "Phó Chủ nhiệm"),
    ("Tổng cục Hải quan", "TCHQ-GSQL", "Phó Tổng cục trưởng"),
    ("Sở Công Thương Hà Nội", "SCT-QLTM", "Giám đốc"),
    ("Sở Công Thương TP. Hồ Chí Minh", "SCT-XNK", "Phó Giám đốc"),
    ("Tập đoàn Điện lực Việt Nam", "EVN-KD", "Tổng Giám đốc"),
    ("Tập đoàn Dầu khí Việt Nam", "DKVN-KTĐT", "Phó Tổng Giám đốc"),
    ("Ngân hàng Nhà nước Việt Nam", "NHNN-QLNH", "Phó Thống đốc"),
    ("Hiệp hội Lương thực Việt Nam", "HHLT-VP", "Chủ tịch"),
]
SUBJECTS = [
    "V/v báo cáo tình hình xuất khẩu gạo quý III",
    "V/v góp ý dự thảo Nghị định về thương mại điện tử",
    "V/v đề nghị cấp giấy phép nhập khẩu xăng dầu",
    "V/v tình hình cung ứng điện mùa khô",
    "V/v phối hợp kiểm tra thị trường dịp Tết Nguyên đán",
    "V/v xử lý vướng mắc thủ tục xuất xứ hàng hóa",
    "V/v kế hoạch xúc tiến thương mại năm tới",
    "V/v triển khai chương trình khuyến công địa phương",
]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Quang Hòa", "Phạm Minh Tuấn", "Hoàng Thị Lan", "Võ Đức Thịnh"]
# Công văn dominates what arrives; reports, notices and plans follow.
TYPES = [
    ("cong-van", 60),
    ("bao-cao", 15),
    ("thong-bao", 10),
    ("ke-hoach", 5),
    ("quyet-dinh-ca-biet", 5),
    ("giay-moi", 5),
]


def make_pdf(seed: int, size: int = PDF_BYTES, pages: int = PDF_PAGES) -> bytes:
    """A valid PDF of about `size` bytes shaped like a scan: per page an uncompressed
    grey image (incompressible noise, as scans are to zlib) under a short text layer,
    whose first page carries MARK once. Only pypdf: no image library is needed."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    def name(value: str) -> NameObject:
        return NameObject(value)

    rng = random.Random(seed)
    writer = PdfWriter()
    # pypdf has no public call to add an indirect object; streams must be indirect.
    font = writer._add_object(
        DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    width = 1000
    height = (size - 8 * 1024) // pages // width  # the rest of the file is a few kB
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        image = DecodedStreamObject()
        image.set_data(rng.randbytes(width * height))
        image.update(
            {
                name("/Type"): name("/XObject"),
                name("/Subtype"): name("/Image"),
                name("/Width"): NumberObject(width),
                name("/Height"): NumberObject(height),
                name("/ColorSpace"): name("/DeviceGray"),
                name("/BitsPerComponent"): NumberObject(8),
            }
        )
        page[name("/Resources")] = DictionaryObject(
            {
                name("/Font"): DictionaryObject({name("/F1"): font}),
                name("/XObject"): DictionaryObject({name("/Im0"): writer._add_object(image)}),
            }
        )
        lines = [b"UY BAN NHAN DAN", b"CONG VAN", b"Ma tai lieu: " + MARK if number == 1 else b"Trang %d" % number]
        lines += [b"Noi dung van ban, dong %d" % i for i in range(1, 31)]
        text = b" ".join(b"(" + line + b") '" for line in lines)
        contents = DecodedStreamObject()
        contents.set_data(b"q 500 0 0 700 48 70 cm /Im0 Do Q BT /F1 11 Tf 14 TL 60 800 Td " + text + b" ET")
        page[name("/Contents")] = writer._add_object(contents)
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    if pdf.count(MARK) != 1:
        raise SystemExit("the PDF must hold the marker exactly once")
    return pdf


def marked(pdf: bytes, marker: str) -> bytes:
    value = marker.encode("ascii").ljust(len(MARK), b".")[: len(MARK)]
    return pdf.replace(MARK, value)


PROVINCES = [
    "Hà Nội", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ", "Hồ Chí Minh", "Hà Giang", "Cao Bằng", "Lào Cai",
    "Bắc Kạn", "Lạng Sơn", "Tuyên Quang", "Yên Bái", "Thái Nguyên", "Phú Thọ", "Bắc Giang", "Quảng Ninh",
    "Bắc Ninh", "Hà Nam", "Hải Dương", "Hưng Yên", "Thái Bình", "Nam Định", "Ninh Bình", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa",
    "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước",
    "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa – Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh",
    "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
    "Điện Biên", "Lai Châu", "Sơn La", "Hòa Bình", "Vĩnh Phúc",
]  # fmt: skip
CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ", "Hồ Chí Minh"}
AGENCIES = [
    "UBND", "HĐND", "Sở Công Thương", "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế",
    "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Ngoại vụ",
    "Sở Văn hóa, Thể thao và Du lịch", "Công an", "Thanh tra", "Ban Quản lý các khu công nghiệp",
    "Chi cục Quản lý thị trường", "Thuế", "Kho bạc Nhà nước", "Bảo hiểm xã hội", "Văn phòng UBND",
    "Trung tâm Xúc tiến Thương mại", "Liên minh Hợp tác xã", "Hội Doanh nhân trẻ",
]  # fmt: skip
FIRMS = ["Công ty Cổ phần", "Công ty TNHH", "Tổng công ty", "Hợp tác xã"]
TRADES = ["Thương mại", "Xuất nhập khẩu", "Điện lực", "Than", "Dầu khí", "Dệt may", "Thép", "Lương thực", "Cơ khí"]
TRADE_NAMES = ["Hòa Phát", "Thành Công", "Phú Thịnh", "An Khang", "Việt Tiến", "Đại Dương", "Sao Mai", "Hưng Thịnh"]


def directory_names(n: int) -> list[str]:
    """N names of outside organs: every province's agencies, then firms."""
    names = []
    for agency in AGENCIES:
        for province in PROVINCES:
            names.append(f"{agency} {'thành phố' if province in CITIES else 'tỉnh'} {province}")
    for firm in FIRMS:
        for trade in TRADES:
            for trade_name in TRADE_NAMES:
                for province in PROVINCES:
                    names.append(f"{firm} {trade} {trade_name} {province}")
    return names[:n]


def ensure_directory(n: int) -> dict[str, Any]:
    """The directory of outside organs a ministry builds up (a few thousand): the
    issuing organ a clerk types is looked up in it by name on every registration. Bulk
    rows without audit events, which the registration does not read."""
    from vanban.organisation.models import Organ

    wanted = directory_names(n)
    present = set(Organ.objects.filter(name__in=wanted).values_list("name", flat=True))
    missing = [name for name in wanted if name not in present]
    short = {name: "".join(w[0] for w in name.split() if w[0].isupper())[:30] for name in missing}
    Organ.objects.bulk_create([Organ(name=name, short_name=short[name]) for name in missing], batch_size=1000)
    if missing:
        _common.analyze()
    return {"built": len(missing), "organs": Organ.objects.count()}


def ensure_clerks(n: int) -> list[str]:
    """N ministry clerks (bench.vanthu01…), made through the account services like any
    other account; those present from an earlier run are kept."""
    from vanban.accounts.models import User
    from vanban.accounts.services import create_account
    from vanban.organisation.demo import DEMO_PASSWORD
    from vanban.organisation.models import Position, Unit
    from vanban.organisation.roles import Role

    unit = Unit.objects.get(short_name=CLERK_UNIT)
    position = Position.objects.get(code="van-thu")
    names = [f"bench.vanthu{i:02d}" for i in range(1, n + 1)]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    for i, username in enumerate(names, start=1):
        if username not in present:
            create_account(
                actor=None,
                username=username,
                full_name=f"Văn thư thử tải {i:02d}",
                email=f"{username.replace('.', '')}@moit.gov.vn",
                password=DEMO_PASSWORD,
                unit=unit,
                position=position,
                roles=[Role.MINISTRY_CLERK],
                must_change_password=False,
            )
    return names


def prepare_world(clerk: str) -> Any:
    """The year's register and the senders' organs exist before the clock starts: the
    first registration of a year and a new sender are rare events, not the load."""
    from vanban.accounts.models import User
    from vanban.documents.models import Register
    from vanban.documents.numbering import register_for
    from vanban.documents.services import find_or_create_external_organ
    from vanban.organisation.selectors import own_organ

    actor = User.objects.get(username=clerk)
    for sender, _, _ in SENDERS:
        find_or_create_external_organ(actor=actor, name=sender)
    return register_for(own_organ(), Register.Kind.INCOMING, actor=actor)


def _document(
    rng: random.Random, index: int, tag: str, types: dict[str, Any], directory: list[str]
) -> tuple[Any, str]:  # fmt: skip
    from django.utils import timezone

    from vanban.documents.catalogue import ReceiptMethod, Urgency
    from vanban.incoming.services import IncomingData

    # Most mail comes from a few regular senders; the rest from anywhere in the directory.
    if rng.random() < 0.8 or not directory:
        sender, notation, position = rng.choice(SENDERS)
    else:
        sender = rng.choice(directory)
        notation, position = "".join(w[0] for w in sender.split() if w[0].isupper())[:12], "Giám đốc"
    code = rng.choices([c for c, _ in TYPES], [w for _, w in TYPES])[0]
    data = IncomingData(
        document_type=types[code],
        issuing_organ_name=sender,
        code_number=str(index + 1),
        # The run's tag keeps a second run's documents from being duplicates of the first's.
        code_notation=f"{notation}-{tag}",
        issued_date=timezone.localdate() - dt.timedelta(days=rng.randrange(0, 8)),
        subject=rng.choice(SUBJECTS),
        signer_name=rng.choice(SIGNERS),
        signer_position=position,
        urgency=rng.choices([Urgency.NORMAL, Urgency.KHAN, Urgency.THUONG_KHAN], [85, 12, 3])[0],
        receipt_method=rng.choices([ReceiptMethod.PAPER, ReceiptMethod.EXCHANGE, ReceiptMethod.EMAIL], [50, 40, 10])[0],
        due_date=timezone.localdate() + dt.timedelta(days=rng.randrange(5, 30)) if rng.random() < 0.3 else None,
    )
    return data, f"{index + 1}-{notation}.pdf"


def clerk_process(
    slot: int, username: str, indices: list[int], tag: str, directory: list[str], barrier: Any, results: Any
) -> None:  # fmt: skip
    """One clerk in a process of its own, as a gunicorn worker is: Django set up afresh,
    its own database connection, closed at the end. Everything but register_incoming
    (PDF bytes, request context, first connection) is done before the barrier."""
    out: dict[str, Any] = {"slot": slot, "samples_ms": [], "numbers": [], "error": None}
    try:
        import django

        django.setup()  # settings and the database URL come from the parent's environment
        from django.db import connection

        from vanban.accounts.models import User
        from vanban.core.context import RequestContext, set_context
        from vanban.documents.files import validate_upload
        from vanban.documents.models import DocumentType
        from vanban.incoming.services import register_incoming

        actor = User.objects.get(username=username)
        types = {t.code: t for t in DocumentType.objects.filter(code__in=[c for c, _ in TYPES])}
        set_context(RequestContext(ip_address=f"10.20.1.{10 + slot}", user_agent="vanban-bench", channel="web"))
        pdf = make_pdf(seed=slot)
        validate_upload("warm-up.pdf", pdf)  # imports pypdf, as a worker that served a request before has
        connection.ensure_connection()
        rng = random.Random(f"{tag}-{slot}")
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        out["started"] = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        for index in indices:
            data, filename = _document(rng, index, tag, types, directory)
            content = io.BytesIO(marked(pdf, f"{tag}-{index:08d}"))
            start = time.perf_counter()
            doc = register_incoming(actor=actor, data=data, files=[(filename, content)])
            out["samples_ms"].append((time.perf_counter() - start) * 1000)
            out["numbers"].append(doc.arrival_number)
        out["finished"] = time.perf_counter()
    except BaseException as exc:  # reported to the parent, which stops the run
        out["error"] = f"{type(exc).__name__}: {exc}"
        barrier.abort()
    finally:
        from django.db import connections

        connections.close_all()
        results.put(out)


def run_clerks(clerks: list[str], documents: int, tag: str, directory: list[str]) -> list[dict[str, Any]]:
    # Processes, not threads: `vanban run` serves with several gunicorn worker processes
    # (3 by default, 4 threads each), and registering is mostly Python (pypdf, the text
    # guard, the ORM); N threads in one process would queue on one GIL and measure that
    # rather than the database's locking. "spawn" gives each clerk a fresh interpreter
    # that sets Django up itself, as a worker does, and keeps the parent's open
    # connections out of the children.
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(clerks), timeout=BARRIER_TIMEOUT_S)
    results = ctx.Queue()
    procs = []
    for slot, username in enumerate(clerks):
        indices = list(range(slot, documents, len(clerks)))
        proc = ctx.Process(target=clerk_process, args=(slot, username, indices, tag, directory, barrier, results))
        proc.start()
        procs.append(proc)
    outs: list[dict[str, Any]] = []
    try:
        for _ in procs:
            outs.append(results.get(timeout=RESULT_TIMEOUT_S))
    except queue.Empty:
        raise SystemExit("a clerk process gave no result in time") from None
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
    errors = [o["error"] for o in outs if o["error"]]
    # A clerk that fails aborts the barrier; its error says why, the others' do not.
    causes = [e for e in errors if not e.startswith("BrokenBarrierError")] or errors
    if causes:
        raise SystemExit(f"registration failed: {causes[0]}")
    return sorted(outs, key=lambda o: o["slot"])


def check_register(register: Any) -> dict[str, Any]:
    """Duplicates and gaps in the whole register, read back from the database."""
    from vanban.documents.numbering import last_number
    from vanban.incoming.models import IncomingDocument

    numbers = list(IncomingDocument.objects.filter(register=register).values_list("arrival_number", flat=True))
    highest = max(numbers, default=0)
    return {
        "register_documents": len(numbers),
        "duplicate_numbers": len(numbers) - len(set(numbers)),
        "missing_numbers": len(set(range(1, highest + 1)) - set(numbers)),
        "highest_number": highest,
        "counter_matches": last_number(register) == highest,
    }


def check_audit_since(last_event_id: int, last_hash: str) -> dict[str, Any]:
    """The chain from the last event before the run to the head: every link and hash,
    without re-walking the older events (a bench database may hold millions)."""
    from vanban.audit.models import AuditChainHead, AuditEvent
    from vanban.audit.services import compute_hash

    prev, checked, ok = last_hash, 0, True
    for event in AuditEvent.objects.filter(pk__gt=last_event_id).order_by("pk").iterator(chunk_size=2000):
        if event.prev_hash != prev or compute_hash(event) != event.hash:
            ok = False
            break
        prev = event.hash
        checked += 1
    head = AuditChainHead.objects.get(pk=1)
    registered = AuditEvent.objects.filter(pk__gt=last_event_id, action="incoming.registered").count()
    return {"audit_chain_ok": ok and head.last_hash == prev, "audit_events": checked, "registered_events": registered}


def check_files(register: Any, numbers: list[int]) -> dict[str, Any]:
    """Each document of the run has its one file, whose blob is in storage whole."""
    from vanban.documents import storage
    from vanban.incoming.models import IncomingFile

    links = IncomingFile.objects.filter(document__register=register, document__arrival_number__in=numbers)
    stored = list(links.values_list("file__sha256", "file__size", "file__page_count"))
    missing = 0
    for sha256, size, _ in stored:
        name = storage.blob_name(sha256)
        if not storage.files_storage().exists(name) or storage.files_storage().size(name) != size:
            missing += 1
    return {
        "files": len(stored),
        "distinct_files": len({s for s, _, _ in stored}),
        "files_missing_in_storage": missing,
        "page_counts": sorted({p for _, _, p in stored}),
    }


def main() -> None:
    p = _common.parser(__doc__.split("\n\n")[0], repeat=False)
    p.add_argument("--clerks", type=int, default=8, help="clerks registering at the same time (default 8)")
    p.add_argument("--documents", type=int, default=400, help="documents registered in all (default 400)")
    p.add_argument("--organs", type=int, default=2000, help="outside organs in the directory (default 2,000)")
    args = p.parse_args()
    if args.clerks < 1 or args.documents < args.clerks:
        p.error("need at least one clerk and at least one document per clerk")
    url = _common.setup_django(args.database_url, "bench-registration.sqlite3")

    from django.db import connections

    from vanban.audit.models import AuditChainHead
    from vanban.organisation.demo import load_demo
    from vanban.organisation.models import Organ

    result: dict[str, Any] = {"benchmark": "registration", "db": _common.engine()}
    print(f"database: {result['db']} ({url.split('@')[-1]})")
    load_demo()
    result["directory"] = ensure_directory(args.organs)
    clerks = ensure_clerks(args.clerks)
    register = prepare_world(clerks[0])
    result["directory"]["organs"] = Organ.objects.count()  # with the senders added just now
    before = check_register(register)
    head = AuditChainHead.objects.get(pk=1)
    head_id, head_hash = head.last_event_id or 0, head.last_hash
    tag = secrets.token_hex(3).upper()
    connections.close_all()  # nothing open while the clerks work

    print(
        f"{args.clerks} clerks register {args.documents} documents ({PDF_BYTES // 1024} KiB PDF, {PDF_PAGES} pages) "
        f"into «{register.name}», which holds {before['register_documents']}; "
        f"{result['directory']['organs']} organs in the directory",
        flush=True,
    )
    outs = run_clerks(clerks, args.documents, tag, directory_names(args.organs))
    wall = max(o["finished"] for o in outs) - min(o["started"] for o in outs)
    samples = [s for o in outs for s in o["samples_ms"]]
    run_numbers = sorted(n for o in outs for n in o["numbers"])

    figures = _common.summarise(samples)
    result.update(
        {
            "clerks": args.clerks,
            "documents": len(samples),
            "pdf_bytes": PDF_BYTES,
            "wall_s": round(wall, 2),
            "docs_per_s": round(len(samples) / wall, 1),
            "p50_ms": figures["p50_ms"],
            "p95_ms": figures["p95_ms"],
            "max_ms": figures["max_ms"],
            "mean_ms": figures["mean_ms"],
            "run_numbers": [run_numbers[0], run_numbers[-1]],
            "run_numbers_contiguous": run_numbers
            == list(range(before["highest_number"] + 1, before["highest_number"] + len(samples) + 1)),
        }
    )
    result.update(check_register(register))
    result.update(check_audit_since(head_id, head_hash))
    result.update(check_files(register, run_numbers))
    result["per_clerk"] = [len(o["samples_ms"]) for o in outs]
    result["peak_rss_mb_parent"] = _common.peak_rss_mb()

    print(f"  {result['documents']} documents in {wall:.2f} s: {result['docs_per_s']} documents/s")
    print(
        f"  latency per registration: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms"
    )
    print(
        f"  register: {result['register_documents']} documents, numbers 1–{result['highest_number']}, "
        f"{result['duplicate_numbers']} duplicate, {result['missing_numbers']} missing, "
        f"counter {'matches' if result['counter_matches'] else 'DOES NOT MATCH'}"
    )
    print(
        f"  this run: numbers {run_numbers[0]}–{run_numbers[-1]}"
        f"{'' if result['run_numbers_contiguous'] else ' NOT CONTIGUOUS'}; "
        f"audit chain {'intact' if result['audit_chain_ok'] else 'BROKEN'} over {result['audit_events']} events "
        f"({result['registered_events']} registrations); {result['files']} files "
        f"({result['distinct_files']} distinct), {result['files_missing_in_storage']} missing in storage"
    )
    _common.emit(result)
    correct = (
        result["duplicate_numbers"] == 0
        and result["missing_numbers"] == 0
        and result["counter_matches"]
        and result["run_numbers_contiguous"]
        and result["audit_chain_ok"]
        and result["registered_events"] == result["documents"] == result["files"] == result["distinct_files"]
        and result["files_missing_in_storage"] == 0
    )
    if not correct:
        sys.exit(1)  # after the JSON line, so the figures of a failed run are kept too


if __name__ == "__main__":
    main()
