"""Fixtures for signatures: the organ's internal CA, a leader with a certificate, the
ministry's Văn thư, sample PDFs, and the two validators (pyHanko and poppler's pdfsig,
the latter with an NSS database that trusts the internal root)."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vanban.organisation.roles import Role
from vanban.signatures import pdfsign, pki, samples, selectors, services

SIGNING_PASSWORD = "Ky@so2026"
LEADER_NAME = "Hoàng Đức Thắng"
OUTPUT = Path(__file__).resolve().parents[3] / "test-output" / "signed"


@pytest.fixture
def pki_ready(organ: Any) -> services.PkiInitResult:
    return services.init_pki(actor=None)


@pytest.fixture
def leader_unit(make_unit: Callable[..., Any]) -> Any:
    return make_unit("Lãnh đạo Bộ", short_name="LĐB")


@pytest.fixture
def clerk_unit(make_unit: Callable[..., Any]) -> Any:
    return make_unit("Văn phòng Bộ", short_name="VP")


@pytest.fixture
def leader(make_user: Callable[..., Any], leader_unit: Any, pki_ready: Any) -> Any:
    user = make_user(
        "bt.hoang", roles=[Role.MINISTRY_LEADER], unit=leader_unit, full_name=LEADER_NAME, email="bthoang@moit.gov.vn"
    )
    services.issue_certificate(actor=user, user=user, password=SIGNING_PASSWORD)
    return user


@pytest.fixture
def clerk(make_user: Callable[..., Any], clerk_unit: Any) -> Any:
    return make_user("vanthu.bo", roles=[Role.MINISTRY_CLERK], unit=clerk_unit, full_name="Bùi Thị Mai")


@pytest.fixture
def draft() -> bytes:
    return samples.draft_pdf(pages=1, signer_name=LEADER_NAME)


@pytest.fixture
def signed(leader: Any, draft: bytes) -> services.SignedResult:
    return services.sign_as_person(
        actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
    )


@dataclass
class Verdict:
    field: str
    bottom_line: bool
    intact: bool
    valid: bool
    trusted: bool
    modification_level: str | None
    docmdp_ok: bool | None
    coverage: str


def pyhanko_verdicts(pdf: bytes, revocation_mode: str = "soft-fail") -> dict[str, Verdict]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=pki.trust_roots(), crls=pki.internal_crls(), allow_fetching=False, revocation_mode=revocation_mode
    )
    verdicts = {}
    for signature in PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures:
        status = validate_pdf_signature(signature, context)
        verdicts[signature.field_name] = Verdict(
            signature.field_name,
            status.bottom_line,
            status.intact,
            status.valid,
            status.trusted,
            status.modification_level.name if status.modification_level is not None else None,
            status.docmdp_ok,
            status.coverage.name,
        )
    return verdicts


@dataclass
class PdfsigSignature:
    field: str
    validation: str
    certificate: str
    total_document: bool


def run_pdfsig(pdf: bytes, tmp_path: Path) -> list[PdfsigSignature]:
    """Poppler's verdict on every signature, with an NSS database trusting the
    internal root (as a reader that installed the organ's root would). No -no-ocsp:
    with it poppler 22 answers "Unknown issue"; the internal certificates name no OCSP
    responder, so nothing is fetched anyway."""
    nss = tmp_path / "nss"
    if not nss.exists():
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        for index, root in enumerate(pki.trust_roots()):
            pem = tmp_path / f"root{index}.der"
            pem.write_bytes(root.dump())
            subprocess.run(
                ["certutil", "-A", "-d", f"sql:{nss}", "-n", f"root{index}", "-t", "CT,C,C", "-i", str(pem)],
                check=True,
                capture_output=True,
            )
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, timeout=60
    ).stdout
    found = []
    for block in re.split(r"^Signature #\d+:\s*$", out, flags=re.M)[1:]:
        field = re.search(r"Signature Field Name: (.*)", block)
        validation = re.search(r"Signature Validation: (.*)", block)
        certificate = re.search(r"Certificate Validation: (.*)", block)
        found.append(
            PdfsigSignature(
                field.group(1).strip() if field else "",
                validation.group(1).strip() if validation else "",
                certificate.group(1).strip() if certificate else "",
                "Total document signed" in block and "Not total document signed" not in block,
            )
        )
    return found


def render_page(pdf: bytes, name: str, page: int = 1) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    source = OUTPUT / f"{name}.pdf"
    source.write_bytes(pdf)
    prefix = OUTPUT / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(source), str(prefix)],
        check=True,
        timeout=60,
    )
    return prefix.with_suffix(".png")


def person_field(pdf: bytes) -> str:
    return next(s.field_name for s in pdfsign.embedded_signatures(pdf) if s.field_name.startswith("vanban_ky_ca_nhan_"))
