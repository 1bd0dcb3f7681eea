"""Demo signing material: the organ's internal CA and seal, and a certificate for
every demo leader (signing password = the demo password), so a newcomer can sign,
number and seal at once. Called by `vanban demo`; idempotent."""

from __future__ import annotations

from django.db import transaction

from vanban.organisation.roles import Role
from vanban.signatures import selectors, services

SIGNER_ROLES = frozenset({Role.MINISTRY_LEADER, Role.UNIT_LEADER})


@transaction.atomic
def load_demo_signatures(*, people: list[tuple[str, list[str]]], password: str) -> int:
    """Issue certificates to the given (username, roles) that sign; returns how many
    objects were created (0 on a second run)."""
    from vanban.accounts.models import User

    created = int(services.init_pki(actor=None).created)
    signers = [username for username, roles in people if SIGNER_ROLES & {str(r) for r in roles}]
    for user in User.objects.filter(username__in=signers, is_active=True).order_by("username"):
        if selectors.active_credential(user) is None:
            services.issue_certificate(actor=None, user=user, password=password)
            created += 1
    return created
