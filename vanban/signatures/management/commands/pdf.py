"""`vanban pdf verify FILE [--json]`: the signature report of a PDF, as the document page
and the API show it.

Exit status: 0 when every signature is intact and valid and nothing disallowed was added
after signing (also for a PDF without signatures); 1 when a signature is broken or the
file was changed after signing; 2 when the file cannot be checked at all (missing, not a
PDF, damaged, encrypted, too large). Trust problems (a chain that does not reach a
configured trust root, a revoked or expired certificate) are printed but do not change
the exit status: integrity and trust are separate questions."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vanban.core import context
from vanban.signatures import validation
from vanban.signatures.validation import PdfReport, SignatureCheckError, SignatureResult

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_UNCHECKABLE = 2

YES_NO = {True: "có", False: "không"}
SIGNER_KINDS = {"person": "cá nhân", "seal": "cơ quan (con dấu)", "timestamp_authority": "đơn vị cấp dấu thời gian"}
COVERAGE = {
    "entire_file": "toàn bộ tệp",
    "entire_revision": "toàn bộ phiên bản được ký, có cập nhật thêm sau đó",
    "contiguous_block": "một phần liên tục từ đầu tệp",
    "unclear": "không rõ ràng",
}


class Command(BaseCommand):
    help = (
        "Tệp PDF có chữ ký số: `vanban pdf verify FILE [--json]` kiểm tra từng chữ ký (toàn vẹn, người ký, "
        "chuỗi chứng thư đến các chứng thư gốc tin cậy đã cấu hình, thời điểm ký, thông tin thu hồi có trong tệp). "
        "Mã thoát 0: mọi chữ ký nguyên vẹn và hợp lệ; 1: có chữ ký hỏng hoặc tệp bị sửa sau khi ký; "
        "2: không kiểm tra được tệp. Lỗi về độ tin cậy của chứng thư được in ra nhưng không đổi mã thoát."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Kiểm tra chữ ký số của một tệp PDF",
            description=(
                "Mã thoát 0 khi mọi chữ ký nguyên vẹn và hợp lệ (kể cả tệp không có chữ ký), 1 khi có chữ ký "
                "hỏng hoặc tệp bị sửa sau khi ký, 2 khi không kiểm tra được tệp. Chuỗi chứng thư chưa xác thực "
                "được (không đến chứng thư gốc tin cậy, bị thu hồi, hết hạn) được báo nhưng không đổi mã thoát."
            ),
        )
        verify.add_argument("path", type=Path, help="Tệp PDF cần kiểm tra")
        verify.add_argument("--json", action="store_true", help="In một đối tượng JSON thay cho bản báo cáo")
        verify.add_argument(
            "--trust-roots",
            type=Path,
            help="Thư mục chứng thư gốc tin cậy (PEM/DER) dùng thay cho cấu hình VANBAN_TRUST_ROOTS và CA nội bộ",
        )
        verify.add_argument(
            "--at",
            help="Kiểm tra chuỗi chứng thư tại thời điểm này (ISO 8601, ví dụ 2025-03-05T14:30:12+07:00)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            getattr(self, f"_{options['action']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        self._use_utf8_stdout()
        path: Path = options["path"]
        as_json: bool = options["json"]
        at = _parse_at(options.get("at"))
        roots = None
        if options.get("trust_roots") is not None:
            if not options["trust_roots"].is_dir():
                raise CommandError(f"Không tìm thấy thư mục chứng thư gốc «{options['trust_roots']}».")
            roots = validation.read_trust_root_dir(options["trust_roots"])
        if not path.is_file():
            self._fail(as_json, "file_not_found", f"Không tìm thấy tệp «{path}».")
        try:
            report = validation.validate_pdf(path, trust_roots=roots, at=at)
        except SignatureCheckError as exc:
            self._fail(as_json, exc.code, exc.message)
        if as_json:
            self.stdout.write(json.dumps({"file": str(path), **report.as_dict()}, ensure_ascii=False, indent=2))
        else:
            self._print(path, report)
        sys.exit(EXIT_OK if report.ok else EXIT_BROKEN)

    def _fail(self, as_json: bool, code: str, message: str) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
        else:
            self.stderr.write(f"{code}: {message}")
        sys.exit(EXIT_UNCHECKABLE)

    def _print(self, path: Path, report: PdfReport) -> None:
        out = self.stdout.write
        out(f"Tệp: {path}")
        out(f"SHA-256: {report.sha256}")
        out(f"Kiểm tra lúc: {report.checked_at} (chứng thư gốc tin cậy: {report.trust_roots})")
        out(f"Số chữ ký: {len(report.signatures)}")
        for number, sig in enumerate(report.signatures, start=1):
            out("")
            self._print_signature(number, len(report.signatures), sig)
        out("")
        out(f"Kết luận: {report.summary_vi}")
        out(f"Toàn vẹn: {'đạt' if report.ok else 'KHÔNG ĐẠT'}")
        if report.signatures:
            out(f"Tin cậy: {'đạt' if report.trusted else 'chưa xác thực được (không ảnh hưởng mã thoát)'}")

    def _print_signature(self, number: int, total: int, sig: SignatureResult) -> None:
        out = self.stdout.write
        title = "Dấu thời gian tài liệu" if sig.kind == "document_timestamp" else "Chữ ký"
        out(f"{title} {number}/{total} — trường «{sig.field}»")
        if sig.signer is not None:
            org = f" ({sig.signer.organization})" if sig.signer.organization else ""
            out(f"  Người ký: {sig.signer.common_name or sig.signer.subject}{org} — {SIGNER_KINDS[sig.signer_kind]}")
            out(f"  Tổ chức cấp: {sig.signer.issuer_common_name or sig.signer.issuer}")
            out(f"  Số hiệu chứng thư: {sig.signer.serial}")
            out(f"  Hiệu lực chứng thư: {sig.signer.not_before} → {sig.signer.not_after}")
        if sig.signing_time:
            out(f"  Thời điểm ký (người ký khai): {sig.signing_time}")
        if sig.timestamp is not None:
            ts = sig.timestamp
            trust = "tin cậy" if ts.trusted else "chưa xác thực"
            sound = "hợp lệ" if ts.intact and ts.valid else "KHÔNG HỢP LỆ"
            out(f"  Dấu thời gian: {ts.time} do {ts.authority} cấp ({sound}, {trust})")
        elif sig.kind == "signature":
            out("  Dấu thời gian: không có")
        out(f"  Nguyên vẹn: {YES_NO[sig.intact]}; hợp lệ về mật mã: {YES_NO[sig.valid]}")
        if sig.coverage:
            out(f"  Phạm vi ký: {COVERAGE.get(sig.coverage, sig.coverage)}")
        if sig.modification_level:
            label = validation.MODIFICATION_LABELS.get(sig.modification_level, sig.modification_level)
            allowed = "được phép" if sig.modifications_allowed else "KHÔNG được phép"
            out(f"  Thay đổi sau khi ký: {sig.modification_level} — {label} ({allowed})")
        if sig.certification:
            out(f"  Chữ ký chứng nhận (DocMDP): {sig.certification}")
        if sig.pades_level:
            out(f"  Mức PAdES: {sig.pades_level}")
        revinfo = "có trong tệp" if sig.revocation_data_embedded else "không có trong tệp"
        out(f"  Thông tin thu hồi: {revinfo}{'; CHỨNG THƯ ĐÃ BỊ THU HỒI' if sig.revoked else ''}")
        out(
            f"  Tin cậy: {YES_NO[sig.trusted]}{'' if sig.trusted or not sig.trust_reason else f' — {sig.trust_reason}'}"
        )
        out(f"  => {sig.summary_vi}")

    def _use_utf8_stdout(self) -> None:
        """Vietnamese must reach a pipe intact even under a C or Latin-1 locale."""
        stdout = sys.stdout
        if getattr(self.stdout, "_out", None) is not stdout or not isinstance(stdout, io.TextIOWrapper):
            return  # a test's buffer or a stream someone else set up
        if codecs.lookup(stdout.encoding).name != "utf-8":
            stdout.reconfigure(encoding="utf-8")


def _parse_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Thời điểm «{value}» không đúng định dạng ISO 8601.") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment
