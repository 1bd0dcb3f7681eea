"""From a proposal to the registration form: which field gets which value, and the
refusal a secrecy stamp triggers (the same message as documents.ensure_admissible)."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from vanban.core.text import fold
from vanban.documents.catalogue import SECRET_MESSAGE, Secrecy, Urgency
from vanban.documents.models import DocumentType
from vanban.extraction.models import Proposal
from vanban.organisation.models import Organ

URGENCY_BY_MARK = {"KHẨN": Urgency.KHAN, "THƯỢNG KHẨN": Urgency.THUONG_KHAN, "HỎA TỐC": Urgency.HOA_TOC}
SECRECY_BY_MARK = {"MẬT": Secrecy.MAT, "TỐI MẬT": Secrecy.TOI_MAT, "TUYỆT MẬT": Secrecy.TUYET_MAT}
PROPOSED_NOTE = "Đề xuất tự động — kiểm tra lại."


@dataclass
class Prefill:
    initial: dict[str, Any] = field(default_factory=dict)
    proposed: set[str] = field(default_factory=set)  # form fields filled from the page
    refusal: str = ""  # the secrecy refusal, when a stamp was read


def _organ_name(printed: str) -> str:
    """The directory's spelling when the organ is known ("Bộ Tài chính" for "BỘ TÀI
    CHÍNH"), else the name as printed."""
    key = fold(printed)
    for name in Organ.objects.order_by("name").values_list("name", flat=True)[:5000]:
        if fold(name) == key:
            return name
    return printed


def prefill_for(proposal: Proposal) -> Prefill:
    result = Prefill()
    if proposal.state != Proposal.State.DONE:
        return result
    f = proposal.fields or {}
    secrecy = SECRECY_BY_MARK.get(f.get("secrecy") or "")
    if secrecy:
        result.initial["secrecy"] = secrecy
        result.proposed.add("secrecy")
        result.refusal = SECRET_MESSAGE.format(label=Secrecy(secrecy).label)
        return result
    values: dict[str, Any] = {}
    if f.get("organ"):
        values["issuing_organ_name"] = _organ_name(f["organ"])
    if f.get("doc_type"):
        doc_type = DocumentType.objects.filter(name__iexact=f["doc_type"], is_active=True).first()
        if doc_type is not None:
            values["document_type"] = doc_type.pk
    for form_field, key in (
        ("code_number", "number"),
        ("code_notation", "symbol"),
        ("subject", "summary"),
        ("signer_name", "signer_name"),
        ("signer_position", "signer_position"),
    ):
        if f.get(key):
            values[form_field] = f[key]
    if f.get("date"):
        with contextlib.suppress(ValueError):
            values["issued_date"] = dt.date.fromisoformat(f["date"])
    if f.get("urgency") in URGENCY_BY_MARK:
        values["urgency"] = URGENCY_BY_MARK[f["urgency"]]
    result.initial.update(values)
    result.proposed.update(values)
    return result
