"""Benchmark: a leader signing a 10-page PDF with a software key.

Each signature goes through `vanban.signatures.services.sign_as_person`, the path the
outgoing issue's endpoints take: open the PKCS#12 with the signing password (PBKDF2,
100 000 rounds), add the number and date fields, a visible PAdES signature with the
signature image, name and time (fonts subset and embedded), write the incremental
update, store the result (content-addressed) and the audit event. Measured one after
another in one process (signing is CPU-bound; a web worker signs one document at a
time). Also reported: the clerk's number stamp and the organ seal on the same file,
and a pyHanko validation of the sealed file.

    .venv/bin/python bench/signing.py [--repeat 20] [--database-url postgres://…]
"""

from __future__ import annotations

import datetime as dt
import time

import _common

PASSWORD = "Bench@2026"


def main() -> None:
    args = _common.parser(__doc__.split("\n")[0]).parse_args()
    url = _common.setup_django(args.database_url, "bench-signing.sqlite3")

    from vanban.accounts.models import User
    from vanban.core import context
    from vanban.organisation.demo import load_demo
    from vanban.signatures import pki, samples, selectors, services

    with context.use(context.RequestContext(channel="cli")):
        load_demo()
        services.init_pki(actor=None)
        leader = User.objects.get(username="bt.hoang")
        clerk = User.objects.get(username="vanthu.bo")
        credential = services.issue_certificate(actor=None, user=leader, password=PASSWORD, days=30)
        pdf = samples.draft_pdf(pages=10, signer_name=leader.full_name)

        counter = {"n": 0}

        def sign_once() -> bytes:
            # A distinct input each time (a trailing comment) so each result is a new stored file.
            counter["n"] += 1
            source = pdf + f"\n% bench {time.time_ns()} {counter['n']}\n".encode()
            return services.sign_as_person(actor=leader, pdf=source, credential=credential, secret=PASSWORD).pdf

        started = time.perf_counter()
        person = _common.measure(sign_once, args.repeat)
        elapsed = time.perf_counter() - started

        signed = sign_once()
        stamp = _common.measure(
            lambda: services.stamp_number_and_date(
                actor=clerk, pdf=signed, number_symbol="123/QĐ-BCT", issued_date=dt.date(2026, 11, 25)
            ),
            args.repeat,
        )
        numbered = services.stamp_number_and_date(
            actor=clerk, pdf=signed, number_symbol="123/QĐ-BCT", issued_date=dt.date(2026, 11, 25)
        ).pdf
        seal = _common.measure(lambda: services.seal_as_organ(actor=clerk, pdf=numbered), args.repeat)
        sealed = services.seal_as_organ(actor=clerk, pdf=numbered).pdf

        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        from vanban.signatures import pdfsign

        def validate() -> bool:
            context_ = ValidationContext(trust_roots=pki.trust_roots(), crls=pki.internal_crls())
            return all(validate_pdf_signature(s, context_).bottom_line for s in pdfsign.embedded_signatures(sealed))

        valid = validate()
        validation = _common.measure(validate, max(3, args.repeat // 4))
        assert selectors.active_credential(leader) is not None

        # The same signature at B-LT with the organ's internal timestamp service: a
        # timestamp token plus the certificates and CRLs embedded in the DSS.
        from django.test import override_settings

        from vanban.signatures.validation import validate_pdf

        with override_settings(VANBAN_TSA_URL="internal", VANBAN_PADES_LEVEL="B-LT"):
            person_lt = _common.measure(sign_once, max(3, args.repeat // 2))
            lt_pdf = sign_once()
        lt_levels = sorted({s.pades_level or "" for s in validate_pdf(lt_pdf).signatures})

    result = {
        "benchmark": "signing",
        "engine": _common.engine(),
        "database": url.split("@")[-1],
        "pages": 10,
        "input_bytes": len(pdf),
        "signed_bytes": len(signed),
        "sealed_bytes": len(sealed),
        "signatures": person["n"],
        "person": person,
        "stamp_number": stamp,
        "organ_seal": seal,
        "validate_two_signatures": validation,
        "all_valid": valid,
        "person_b_lt": person_lt,
        "b_lt_levels": lt_levels,
        "b_lt_signed_bytes": len(lt_pdf),
        "signs_per_s": round(person["n"] / (person["mean_ms"] * person["n"] / 1000), 2),
        "wall_s": round(elapsed, 2),
        "p50_ms": person["p50_ms"],
        "p95_ms": person["p95_ms"],
    }
    print(f"signing a 10-page PDF ({len(pdf)} bytes) with a software key, {person['n']} signatures:")
    print(f"  person: p50 {person['p50_ms']} ms, p95 {person['p95_ms']} ms → {result['signs_per_s']} signatures/s")
    print(f"  number stamp: p50 {stamp['p50_ms']} ms; organ seal: p50 {seal['p50_ms']} ms")
    print(f"  pyHanko validation of both signatures: p50 {validation['p50_ms']} ms, all valid: {valid}")
    print(f"  person at B-LT (internal timestamp service): p50 {person_lt['p50_ms']} ms, "
          f"p95 {person_lt['p95_ms']} ms, levels found {lt_levels}")
    _common.emit(result)


if __name__ == "__main__":
    main()
