"""The OpenAPI schema is valid and honest: schemathesis generates requests for every
operation from it, sends them through the real WSGI application as the demo system
administrator, and no request yields a server error or an undocumented answer."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken, User
from vanban.organisation.models import Appointment, Delegation, Organ, Position, RoleGrant, Unit
from vanban.wsgi import application

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/schema/?format=json"
# Small, fixed budgets: the whole schema runs in well under a few minutes on 2 cores.
POSITIVE_EXAMPLES = 10
NEGATIVE_EXAMPLES = 5


@contextlib.contextmanager
def wsgi_inside_test_transaction() -> Iterator[None]:
    """Requests sent straight to the WSGI handler would close the database connection
    when they finish (close_old_connections), which inside the test's transaction
    poisons it. Django's own test client unhooks the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class AdminToken:
    """A bearer token of the demo system administrator, renewed if a generated request
    revokes it (POST /tokens/{id}/revoke may well pick its id)."""

    def __init__(self) -> None:
        self.user = User.objects.get(username="quantri")
        self.token: ApiToken | None = None
        self.secret = ""

    def header(self) -> dict[str, str]:
        if self.token is None or not ApiToken.objects.filter(pk=self.token.pk, revoked_at__isnull=True).exists():
            self.token, self.secret = accounts.create_api_token(
                actor=self.user,
                user=self.user,
                name="schemathesis",
                scopes=["read", "write", "admin", "exchange"],
                expires_at=timezone.now() + dt.timedelta(days=1),
            )
        return {"Authorization": f"Bearer {self.secret}"}


def test_schema_is_valid_openapi_3(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/units/{id}/move",
        "/api/v1/accounts/{id}/reset-password",
        "/api/v1/tokens/{id}/uses",
        "/api/v1/security/two-factor-policy/{role}",
        "/api/v1/me/logout-everywhere",
    ]:
        assert path in paths
    errors = paths["/api/v1/accounts"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert errors == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["AccountCreateRequest"]["additionalProperties"] is False


def test_swagger_ui_renders_with_local_assets_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/" in html
    external = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", html)
    assert external == []
    assert not re.search(r"https?://(?!localhost|testserver)[\w.-]+\.[a-z]{2,}/\S*\.(?:js|css)", html)


# Random ids almost never name a row, so most requests would stop at 404 or
# does_not_exist. Three in four generated ids are swapped for an existing object of
# the right kind, so the services themselves get exercised with generated input.
PATH_MODELS = {
    "units": Unit,
    "accounts": User,
    "appointments": Appointment,
    "role-grants": RoleGrant,
    "delegations": Delegation,
    "tokens": ApiToken,
}
REFERENCES = {
    "parent": Unit,
    "target": Unit,
    "unit": Unit,
    "organ": Organ,
    "position": Position,
    "user": User,
    "delegate": User,
    "principal": User,
}


def _existing(model, seed):
    if isinstance(seed, bool) or not isinstance(seed, int) or seed % 4 == 0:
        return seed
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True)[:500])
    return ids[seed % len(ids)] if ids else seed


def _swap_references(values):
    if isinstance(values, dict):
        for name, model in REFERENCES.items():
            if name in values:
                values[name] = _existing(model, values[name])


def use_existing_objects(context, case):
    segments = case.operation.path.strip("/").split("/")
    model = PATH_MODELS.get(segments[2]) if len(segments) > 3 and segments[3] == "{id}" else None
    if model is not None and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = _existing(model, case.path_parameters["id"])
    _swap_references(case.query)
    _swap_references(case.body)
    return case


def _run_operation(operation, mode: GenerationMode, examples: int, token: AdminToken, seen: set[int]) -> None:
    checks = [not_a_server_error]
    if mode == GenerationMode.POSITIVE:
        checks += [status_code_conformance, content_type_conformance, response_schema_conformance]

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=token.header())
        seen.add(response.status_code)
        case.validate_response(response, checks=checks)

    run()


def test_schemathesis_finds_no_server_error_in_any_operation(demo):
    with wsgi_inside_test_transaction():
        schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)
        schema.hook("map_case")(use_existing_objects)
        token = AdminToken()
        failures = []
        statuses: dict[str, set[int]] = {}
        for result in schema.get_all_operations():
            operation = result.ok()
            seen = statuses.setdefault(operation.label, set())
            for mode, examples in (
                (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
                (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
            ):
                try:
                    _run_operation(operation, mode, examples, token, seen)
                except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, not the first only
                    failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 35
    # The requests really went in as the administrator: every plain list answered 200.
    lists = [label for label in statuses if label.startswith("GET ") and "{" not in label]
    assert lists and all(200 in statuses[label] for label in lists), {label: statuses[label] for label in lists}
    succeeded = [label for label, seen in statuses.items() if any(200 <= s < 300 for s in seen)]
    assert len(succeeded) >= len(statuses) // 3, statuses
