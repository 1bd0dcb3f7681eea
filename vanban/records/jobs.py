"""The package export job: writes the zip, stores it, marks the files transferred."""

from __future__ import annotations

import hashlib
import tempfile
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.jobs.registry import ProgressFn, register
from vanban.records.models import Dossier, Transfer
from vanban.records.package import build_package


@register("records.export_package")
def export_package(job: Any, progress: ProgressFn) -> dict[str, Any]:
    transfer = Transfer.objects.select_related("organ", "approved_by").get(pk=job.params["transfer"])
    with tempfile.TemporaryFile() as tmp:
        info = build_package(transfer, tmp, progress)
        tmp.seek(0)
        digest = hashlib.sha256()
        while chunk := tmp.read(1024 * 1024):
            digest.update(chunk)
        sha = digest.hexdigest()
        tmp.seek(0)
        name = f"records/packages/{sha}.zip"
        if not default_storage.exists(name):
            name = default_storage.save(name, File(tmp))
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        now = timezone.now()
        dossiers = list(transfer.dossiers.select_for_update())
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
            state=Dossier.State.TRANSFERRED, transferred_at=now
        )
        transfer.state, transfer.package_path, transfer.package_sha256 = Transfer.State.EXPORTED, name, sha
        transfer.exported_at = now
        transfer.save(update_fields=["state", "package_path", "package_sha256", "exported_at"])
        audit.record(actor=job.owner, action="records.transfer_exported", target=transfer,
                     data={"package_sha256": sha, "manifest_sha256": info["manifest_sha256"],
                           "dossiers": [d.code for d in dossiers]})  # fmt: skip
    return {"transfer": transfer.pk, "package_sha256": sha, **info}
