"""Timestamped signatures: the organ's internal RFC 3161 service (in process, and over
HTTP at /pki/tsa), PAdES B-T, B-LT and B-LTA through the whole sign → number → seal
journey, each checked by our validator, pyHanko and poppler's pdfsig; and the failures
a timestamp service brings (none configured, unreachable) leaving nothing half-done."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
from asn1crypto import algos, tsp
from django.test import override_settings

from vanban.documents.models import StoredFile
from vanban.signatures import pki, selectors, services, timestamps
from vanban.signatures.errors import SignatureError
from vanban.signatures.models import SigningCredential
from vanban.signatures.tests.conftest import SIGNING_PASSWORD, person_field, pyhanko_verdicts, run_pdfsig
from vanban.signatures.validation import validate_pdf

pytestmark = pytest.mark.django_db

NUMBER = "45/QĐ-BCT"
ISSUED = dt.date(2026, 11, 25)


def _journey(leader, clerk, draft):
    signed = services.sign_as_person(
        actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
    )
    numbered = services.stamp_number_and_date(actor=clerk, pdf=signed.pdf, number_symbol=NUMBER, issued_date=ISSUED)
    sealed = services.seal_as_organ(actor=clerk, pdf=numbered.pdf)
    return signed, sealed


def _request(data: bytes = b"van ban") -> bytes:
    return tsp.TimeStampReq({
        "version": 1,
        "message_imprint": tsp.MessageImprint({
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": hashlib.sha256(data).digest(),
        }),
        "nonce": 20261125,
        "cert_req": True,
    }).dump()  # fmt: skip


def test_pki_init_issues_a_timestamp_authority_once(pki_ready, organ):
    tsa = selectors.tsa_credential(organ)
    assert tsa is not None and tsa.kind == SigningCredential.Kind.TSA
    certificate = pki.load_pem_list(tsa.certificate_pem)[0]
    usage = certificate.extensions.get_extension_for_class(__import__("cryptography").x509.ExtendedKeyUsage)
    assert usage.critical and [o.dotted_string for o in usage.value] == ["1.3.6.1.5.5.7.3.8"]
    assert bytes(tsa.key_blob) and b"PRIVATE KEY" not in bytes(tsa.key_blob)  # encrypted at rest
    again = services.init_pki(actor=None)
    assert again.created is False
    assert SigningCredential.objects.filter(kind=SigningCredential.Kind.TSA).count() == 1


def test_an_installation_without_timestamp_authority_gets_one_on_the_next_init(pki_ready, organ):
    SigningCredential.objects.filter(kind=SigningCredential.Kind.TSA).delete()
    assert services.init_pki(actor=None).created is True
    assert selectors.tsa_credential(organ) is not None


@override_settings(VANBAN_TSA_URL="internal")
def test_auto_level_with_a_timestamp_service_is_b_lt_for_both_signatures(leader, clerk, draft, tmp_path):
    signed, sealed = _journey(leader, clerk, draft)
    person = person_field(sealed.pdf)

    report = validate_pdf(sealed.pdf)
    assert report.ok and report.trusted
    levels = {s.field: s.pades_level for s in report.signatures}
    assert levels == {person: "B-LT", sealed.field_name: "B-LT"}
    for result in report.signatures:
        assert result.timestamp is not None and result.timestamp.valid and result.timestamp.trusted
        assert result.revocation_data_embedded

    verdicts = pyhanko_verdicts(sealed.pdf, revocation_mode="hard-fail")
    assert verdicts[person].bottom_line and verdicts[sealed.field_name].bottom_line
    pdfsig = {r.field: r for r in run_pdfsig(sealed.pdf, tmp_path)}
    assert pdfsig[person].validation == "Signature is Valid."
    assert pdfsig[sealed.field_name].validation == "Signature is Valid."
    assert pdfsig[sealed.field_name].certificate == "Certificate is Trusted."


@override_settings(VANBAN_TSA_URL="internal", VANBAN_PADES_LEVEL="B-T")
def test_b_t_carries_a_timestamp_but_no_validation_data(leader, draft):
    signed = services.sign_as_person(
        actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
    )
    (result,) = validate_pdf(signed.pdf).signatures
    assert result.pades_level == "B-T" and result.timestamp is not None and result.ok


@override_settings(VANBAN_TSA_URL="internal", VANBAN_PADES_LEVEL="B-LTA")
def test_b_lta_adds_a_document_timestamp(leader, draft):
    signed = services.sign_as_person(
        actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
    )
    report = validate_pdf(signed.pdf)
    kinds = sorted(s.kind for s in report.signatures)
    assert kinds == ["document_timestamp", "signature"]
    person = next(s for s in report.signatures if s.kind == "signature")
    assert person.pades_level == "B-LTA" and report.ok


@override_settings(VANBAN_TSA_URL="", VANBAN_PADES_LEVEL="B-T")
def test_a_level_that_needs_a_timestamp_without_a_service_is_refused_before_signing(leader, draft):
    before = StoredFile.objects.count()
    with pytest.raises(SignatureError) as caught:
        services.sign_as_person(
            actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )
    assert caught.value.code == "tsa_not_configured"
    assert StoredFile.objects.count() == before


@override_settings(VANBAN_TSA_URL="http://127.0.0.1:9/tsa", VANBAN_TSA_TIMEOUT=2)
def test_an_unreachable_timestamp_service_fails_clearly_and_saves_nothing(leader, draft):
    before = StoredFile.objects.count()
    with pytest.raises(SignatureError) as caught:
        services.sign_as_person(
            actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )
    assert caught.value.code in {"timestamp_failed", "signing_failed"}
    assert "dấu thời gian" in caught.value.message or "Không ký được" in caught.value.message
    assert StoredFile.objects.count() == before


@override_settings(VANBAN_PADES_LEVEL="B-X")
def test_a_misconfigured_level_is_named():
    with pytest.raises(SignatureError) as caught:
        timestamps.configured_level()
    assert caught.value.code == "pades_level_invalid"


def test_the_http_service_answers_rfc_3161(pki_ready, client):
    response = client.post("/pki/tsa", data=_request(), content_type="application/timestamp-query")
    assert response.status_code == 200 and response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"van ban").digest()
    assert info["nonce"].native == 20261125

    assert client.post("/pki/tsa", data=b"rac", content_type="application/timestamp-query").status_code == 400
    assert client.post("/pki/tsa", data=_request(), content_type="text/plain").status_code == 415
    assert client.get("/pki/tsa").status_code == 405


def test_without_a_timestamp_authority_the_service_is_unavailable(organ, client):
    response = client.post("/pki/tsa", data=_request(), content_type="application/timestamp-query")
    assert response.status_code == 503 and "vanban pki init" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_signing_through_the_http_service(live_server, leader, draft):
    with override_settings(VANBAN_TSA_URL=f"{live_server.url}/pki/tsa", VANBAN_PADES_LEVEL="B-T"):
        signed = services.sign_as_person(
            actor=leader, pdf=draft, credential=selectors.active_credential(leader), secret=SIGNING_PASSWORD
        )
    (result,) = validate_pdf(signed.pdf).signatures
    assert result.pades_level == "B-T" and result.timestamp is not None and result.timestamp.trusted
    assert os.environ.get("VANBAN_TSA_URL", "") == ""  # the setting did not leak


@override_settings(VANBAN_TSA_URL="internal")
def test_the_organ_page_and_api_say_which_level_new_signatures_get(pki_ready, make_user, client, api_client):
    from vanban.organisation.roles import Role

    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    client.force_login(admin)
    page = client.get("/quan-tri/chu-ky-so-co-quan/").content.decode()
    assert "Dịch vụ dấu thời gian nội bộ của cơ quan" in page and "B-LT" in page and "/pki/tsa" in page

    data = api_client(admin).get("/api/v1/organ-seal").json()["timestamps"]
    assert data["level"] == "B-LT" and data["tsa_url"] == "internal" and data["internal_tsa"]["kind"] == "tsa"
