"""Two real vanban instances on loopback: the ministry (this test's live server and
database, with a real `vanban worker` subprocess) and a province (a second instance as
subprocesses: its own VANBAN_VAR_DIR and SQLite database, migrated, seeded with
`vanban exchange seed-peer`, served by `runserver`, with its own worker).

The province is down when the ministry issues: the message is retried with backoff and
dead-lettered; once the province is up the administrator retries and it arrives. The
province accepts it (03), assigns it (04), reports progress (05), completes it (06);
statuses 01 → 06 come back and show on the ministry's recipient. Then a replacement
(business type 3) and a recall (1) arrive too, as requests about the registered
document: the province's clerk agrees to the recall (15) and refuses the replacement
(16), and the ministry's recipients show both answers."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from vanban.exchange import partners
from vanban.exchange.models import OutboxMessage, RecipientStatus
from vanban.exchange.tests.test_export import PASSWORD, _issue, nghe_an  # noqa: F401
from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.outgoing import services as outgoing
from vanban.outgoing.models import Recipient
from vanban.outgoing.tests.conftest import Desk, desk, docx_bytes  # noqa: F401
from vanban.signatures import services as signatures

pytestmark = pytest.mark.django_db(transaction=True)

PROVINCE_TOKEN = "ma-bo-gui-cho-nghe-an-loopback"  # the ministry presents it to the province
MINISTRY_TOKEN = "ma-nghe-an-gui-cho-bo-loopback"  # the province presents it to the ministry
TIMEOUT = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(what: str, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


class Province:
    """The second instance: subprocesses only, talking to the ministry over HTTP."""

    def __init__(self, root: Path, ministry_url: str) -> None:
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("VANBAN_", "DJANGO_", "PYTEST"))}
        self.env.update({
            "VANBAN_VAR_DIR": str(root), "DJANGO_SETTINGS_MODULE": "vanban.settings",
            "VANBAN_DATABASE_URL": f"sqlite:///{root / 'province.sqlite3'}", "VANBAN_EXCHANGE_POLL_SECONDS": "0.3",
            "VANBAN_EXCHANGE_BACKOFF_SECONDS": "0.5", "VANBAN_ORGAN_ID": "000.00.00.H41",
            "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        })  # fmt: skip
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, Any] = {}
        self.ministry_url = ministry_url

    def _cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "vanban.cli", *args], env=self.env, capture_output=True,
                              timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._cli("migrate", "--noinput", "-v", "0")
        out = self._cli("exchange", "seed-peer", "--organ-id", "000.00.00.H41", "--organ-name", "UBND tỉnh Nghệ An",
                        "--partner-id", "000.00.00.G02", "--partner-name", "Bộ Công Thương",
                        "--partner-endpoint", self.ministry_url, "--inbound-token", PROVINCE_TOKEN,
                        "--outbound-token", MINISTRY_TOKEN)  # fmt: skip
        self.tokens = json.loads(out.strip().splitlines()[-1])

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.server = subprocess.Popen([sys.executable, "-m", "vanban.cli", "runserver", f"127.0.0.1:{self.port}",
                                        "--noreload", "--nothreading"], env=self.env, stdout=log, stderr=log)  # fmt: skip
        self.worker = subprocess.Popen([sys.executable, "-m", "vanban.cli", "worker", "--interval", "0.3"],
                                       env=self.env, stdout=log, stderr=log)  # fmt: skip
        _wait("the province server", self._up, timeout=60)

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False

    def stop(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def api(self, who: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]['token']}"}
        r = requests.request(method, f"{self.url}/api/v1{path}", json=body, headers=headers, timeout=30)
        assert r.status_code < 300, (path, r.status_code, r.text[:2000])
        return r.json()

    def received(self) -> list[dict[str, Any]]:
        return self.api("clerk", "GET", "/exchange/received")["results"]


@pytest.fixture
def province(tmp_path: Path, live_server: Any) -> Iterator[Province]:
    p = Province(tmp_path / "province", live_server.url)
    p.prepare()
    yield p
    p.stop()


@pytest.fixture
def ministry_worker(isolated_storage: Path) -> Iterator[subprocess.Popen[bytes]]:  # noqa: F811
    env = {**os.environ, "VANBAN_DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "vanban.settings",
           "VANBAN_MEDIA_ROOT": str(isolated_storage), "VANBAN_EXCHANGE_POLL_SECONDS": "0.3",
           "VANBAN_EXCHANGE_MAX_ATTEMPTS": "3", "VANBAN_EXCHANGE_BACKOFF_SECONDS": "0.3"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.Popen([sys.executable, "-m", "vanban.cli", "worker", "--interval", "0.3"], env=env)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _statuses(doc: Any) -> list[str]:
    state = RecipientStatus.objects.filter(recipient__document=doc).first()
    return [h["code"] for h in state.history] if state else []


def test_ministry_and_province_exchange_a_document_and_its_statuses(
    desk: Desk, nghe_an: Any, province: Province, ministry_worker: Any, api_client: Any,  # noqa: F811
) -> None:
    d = desk
    signatures.init_pki(actor=None)
    signatures.issue_certificate(actor=d.signer, user=d.signer, password=PASSWORD)
    partner = partners.create_partner(actor=None, data=partners.PartnerData(
        organ_id="000.00.00.H41", name="UBND tỉnh Nghệ An", endpoint=province.url,
        inbound_token=MINISTRY_TOKEN, outbound_token=PROVINCE_TOKEN))  # fmt: skip

    # The province is down: retries with backoff, then the dead-letter list.
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    row = OutboxMessage.objects.get(outgoing=doc)
    _wait("dead letter", lambda: OutboxMessage.objects.filter(pk=row.pk, state="dead").exists())
    row.refresh_from_db()
    assert row.attempts == 3 and row.last_error
    assert doc.recipients.get().delivery == Recipient.Delivery.FAILED

    # The province comes up; the administrator retries from the dead-letter API.
    province.start()
    admin = api_client(d.world.sysadmin)
    assert admin.post(f"/api/v1/exchange/outbox/{row.pk}/retry").status_code == 200
    (arrived,) = _wait("the document at the province", province.received)
    assert (arrived["from_organ_id"], arrived["code_notation"], arrived["business_doc_type"]) == (
        "000.00.00.G02", doc.code_notation, 0)
    assert arrived["subject"] == doc.subject
    _wait("status 01 at the ministry", lambda: "01" in _statuses(doc))
    row.refresh_from_db()
    assert row.state == "sent"

    # The province's clerk accepts, its leader assigns, the specialist works and completes.
    incoming = province.api("clerk", "POST", f"/exchange/received/{arrived['id']}/accept", {})
    presentation = province.api("clerk", "POST", f"/incoming/{incoming['id']}/presentations",
                                {"leader": province.tokens["leader"]["id"]})  # fmt: skip
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    direction = province.api("leader", "POST", f"/presentations/{presentation['id']}/direction", {
        "text": "Giao Văn phòng chủ trì", "assignees": [{"role": "lead", "user": province.tokens["specialist"]["id"],
                                                        "deadline": deadline}]})  # fmt: skip
    assignment = direction["assignments"][0]["id"]
    province.api("specialist", "POST", f"/assignments/{assignment}/progress", {"progress": 40, "text": "Đang tổng hợp"})
    province.api("specialist", "POST", f"/assignments/{assignment}/complete", {"result": "Đã báo cáo"})

    _wait("status 06 at the ministry", lambda: "06" in _statuses(doc))
    assert _statuses(doc) == ["01", "03", "04", "05", "06"]
    state = RecipientStatus.objects.get(recipient__document=doc)
    assert state.status_code == "06"
    recipient = api_client(d.world.ministry_clerk).get(f"/api/v1/outgoing/{doc.pk}").json()["recipients"][0]
    assert recipient["delivery"] == "read" and recipient["exchange"]["status_code"] == "06"

    # A replacement (3) and a recall (1) travel the same way.
    replacement = outgoing.start_correction(actor=d.world.specialist, document=doc, relation="replace",
                                            file=("thay-the.docx", docx_bytes("Văn bản thay thế")))  # fmt: skip
    replacement = _issue(d, replacement)
    outgoing.recall(actor=d.world.ministry_clerk, document=doc, reason="Đã có văn bản thay thế")
    types = _wait("replacement and recall at the province",
                  lambda: (lambda got: got if {1, 3} <= got else None)({m["business_doc_type"] for m in province.received()}))  # fmt: skip
    assert types == {0, 1, 3}
    _wait("status 01 of the replacement", lambda: "01" in _statuses(replacement))
    # The province answered the recall; its row turns "sent" once our worker records the reply.
    _wait("three documents sent", lambda: partner.outbox.filter(state="sent").count() == 3)

    # At the province both are requests about the registered document: its clerk agrees
    # to the recall (15) and refuses the replacement with a reason (16).
    def pending() -> list[dict[str, Any]] | None:
        rows = province.api("clerk", "GET", "/exchange/changes?state=pending")["results"]
        return rows if len(rows) == 2 else None

    requests_ = {c["kind"]: c for c in _wait("both requests pending at the province", pending)}
    assert {c["incoming"] for c in requests_.values()} == {incoming["id"]}
    province.api("clerk", "POST", f"/exchange/changes/{requests_[1]['id']}/accept", {})
    province.api("clerk", "POST", f"/exchange/changes/{requests_[3]['id']}/refuse",
                 {"reason": "Đề nghị gửi văn bản đính chính"})  # fmt: skip

    def change_code(document: Any) -> str:
        state = RecipientStatus.objects.filter(recipient__document=document).first()
        return state.change_code if state else ""

    _wait("15 for the recall at the ministry", lambda: change_code(doc) == "15")
    _wait("16 for the replacement at the ministry", lambda: change_code(replacement) == "16")
    refused = RecipientStatus.objects.get(recipient__document=replacement)
    assert refused.change_description == "Đề nghị gửi văn bản đính chính"
    shown = api_client(d.world.ministry_clerk).get(f"/api/v1/outgoing/{doc.pk}").json()["recipients"][0]
    assert shown["exchange"]["change_label"] == "15 – Đồng ý cập nhật, lấy lại"
