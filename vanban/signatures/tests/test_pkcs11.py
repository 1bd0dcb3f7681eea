"""Signing with a key on a PKCS#11 token: SoftHSM2 (Debian's softhsm2) stands in for a
USB token or an HSM. The token lives in a temporary directory named by SOFTHSM2_CONF,
which must be set before the module is first loaded in the process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from vanban.core.errors import VanbanError
from vanban.signatures import pki, samples, services
from vanban.signatures.models import SigningCredential
from vanban.signatures.tests.conftest import LEADER_NAME, pyhanko_verdicts, run_pdfsig

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "vanban-test"
PIN = "246810"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert Path(MODULE).is_file(), "softhsm2 is installed by `make test` (debian-packages)"
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "13579111"],
        check=True,
        capture_output=True,
    )
    return folder


def _key_on_token(softhsm: Path, label: str) -> Any:
    """A key made here and imported into the token (as a CA's enrolment would put it),
    then the clear copy deleted."""
    key = pki.new_private_key()
    pem = softhsm / f"{label}.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(pem),
            "--token",
            TOKEN,
            "--label",
            label,
            "--id",
            os.urandom(2).hex(),
            "--pin",
            PIN,
        ],
        check=True,
        capture_output=True,
    )
    pem.unlink()
    return key.public_key()


def _certificate_for(public_key: Any, common_name: str) -> str:
    authority = services.selectors.active_authority()
    ca_key, ca_cert = services._ca_key_and_cert(authority)
    certificate = pki.build_signing_certificate(
        ca_key=ca_key,
        ca_certificate=ca_cert,
        public_key=public_key,
        common_name=common_name,
        organ_name="Bộ Công Thương",
        now=timezone.now(),
        days=30,
    )
    return pki.to_pem(certificate)


def test_person_signs_with_a_key_on_a_softhsm_token(softhsm, leader, clerk, tmp_path, settings):
    settings.VANBAN_PKCS11_MODULE = MODULE
    public_key = _key_on_token(softhsm, "ky-so-lanh-dao")
    credential = services.register_pkcs11(
        actor=leader,
        user=leader,
        token_label=TOKEN,
        key_label="ky-so-lanh-dao",
        pin=PIN,
        certificate_pem=_certificate_for(public_key, LEADER_NAME),
        chain_pem=services.selectors.active_authority().certificate_pem,
    )
    assert credential.protection == SigningCredential.Protection.TOKEN
    assert (
        credential.key_blob in (b"", memoryview(b"")) or bytes(credential.key_blob) == b""
    )  # the key stays on the token

    draft = samples.draft_pdf(signer_name=LEADER_NAME)
    signed = services.sign_as_person(actor=leader, pdf=draft, credential=credential, secret=PIN)
    sealed = services.seal_as_organ(
        actor=clerk,
        pdf=services.stamp_number_and_date(
            actor=clerk, pdf=signed.pdf, number_symbol="7/QĐ-BCT", issued_date=timezone.localdate()
        ).pdf,
    )
    verdicts = pyhanko_verdicts(sealed.pdf)
    assert len(verdicts) == 2 and all(v.bottom_line for v in verdicts.values())
    assert all(r.validation == "Signature is Valid." for r in run_pdfsig(sealed.pdf, tmp_path))


def test_wrong_pin_and_unknown_token_are_refused(softhsm, leader, settings):
    settings.VANBAN_PKCS11_MODULE = MODULE
    public_key = _key_on_token(softhsm, "ky-so-2")
    certificate_pem = _certificate_for(public_key, LEADER_NAME)
    with pytest.raises(VanbanError) as caught:
        services.register_pkcs11(
            actor=leader,
            user=leader,
            token_label=TOKEN,
            key_label="ky-so-2",
            pin="000000",
            certificate_pem=certificate_pem,
        )
    assert caught.value.code == "wrong_signing_password"
    with pytest.raises(VanbanError) as caught:
        services.register_pkcs11(
            actor=leader,
            user=leader,
            token_label="khong-co",
            key_label="ky-so-2",
            pin=PIN,
            certificate_pem=certificate_pem,
        )
    assert caught.value.code == "pkcs11_token_missing"
    credential = services.register_pkcs11(
        actor=leader, user=leader, token_label=TOKEN, key_label="ky-so-2", pin=PIN, certificate_pem=certificate_pem
    )
    with pytest.raises(VanbanError) as caught:
        services.sign_as_person(actor=leader, pdf=samples.draft_pdf(), credential=credential, secret="999999")
    assert caught.value.code == "wrong_signing_password"
