"""Reads of signing credentials and images."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from vanban.documents import storage
from vanban.organisation.models import Organ
from vanban.organisation.selectors import own_organ
from vanban.signatures.models import CertificateAuthority, SignatureImage, SigningCredential


def _usable(queryset: QuerySet[SigningCredential]) -> QuerySet[SigningCredential]:
    now = timezone.now()
    return queryset.filter(revoked_at__isnull=True, not_before__lte=now, not_after__gte=now)


def credentials_of(user: Any) -> QuerySet[SigningCredential]:
    """A person's own certificates, newest first (revoked and expired ones included)."""
    return SigningCredential.objects.filter(kind=SigningCredential.Kind.PERSONAL, owner=user).order_by(
        "-created_at", "-pk"
    )


def active_credential(user: Any) -> SigningCredential | None:
    """The certificate a person signs with by default: their newest one that is neither
    revoked nor outside its validity dates; None when they have none."""
    return _usable(credentials_of(user)).first()


def organ_credentials(organ: Organ | None = None) -> QuerySet[SigningCredential]:
    organ = organ or own_organ()
    return SigningCredential.objects.filter(kind=SigningCredential.Kind.ORGAN, organ=organ).order_by(
        "-created_at", "-pk"
    )


def organ_credential(organ: Organ | None = None) -> SigningCredential | None:
    """The organ's usable seal certificate (the newest), or None."""
    return _usable(organ_credentials(organ)).first()


def tsa_credential(organ: Organ | None = None) -> SigningCredential | None:
    """The organ's usable internal timestamp authority certificate (the newest), or None."""
    organ = organ or own_organ()
    return _usable(SigningCredential.objects.filter(kind=SigningCredential.Kind.TSA, organ=organ)).order_by(
        "-created_at", "-pk"
    ).first()


def active_authority(organ: Organ | None = None) -> CertificateAuthority | None:
    organ = organ or own_organ()
    return CertificateAuthority.objects.filter(organ=organ, is_active=True).order_by("-created_at", "-pk").first()


def find_credential(reference: str) -> QuerySet[SigningCredential]:
    """Credentials named on the command line by owner username or certificate serial
    (hex, any case, leading "0x" allowed)."""
    serial = reference.lower().removeprefix("0x")
    return SigningCredential.objects.filter(Q(owner__username=reference) | Q(serial_hex=serial)).order_by("pk")


def signature_image(user: Any) -> SignatureImage | None:
    return (
        SignatureImage.objects.filter(kind=SignatureImage.Kind.SIGNATURE, owner=user)
        .select_related("file")
        .order_by("-created_at", "-pk")
        .first()
    )


def seal_image(organ: Organ | None = None) -> SignatureImage | None:
    organ = organ or own_organ()
    return (
        SignatureImage.objects.filter(kind=SignatureImage.Kind.SEAL, organ=organ)
        .select_related("file")
        .order_by("-created_at", "-pk")
        .first()
    )


def image_bytes(image: SignatureImage) -> bytes:
    return storage.read_blob(image.file.sha256)
