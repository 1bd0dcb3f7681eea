"""Background work of outgoing documents: e-mailing an issued document (the mail
server may be slow or down; the clerk's issuing must not wait for it)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from vanban.audit import services as audit
from vanban.core.timeutil import format_date
from vanban.documents import storage


@task()
def send_issued_email(recipient_id: int) -> str:
    from vanban.outgoing.models import Recipient, Version

    r = Recipient.objects.select_related("document", "document__organ", "document__issued_by").get(pk=recipient_id)
    doc = r.document
    if r.delivery != Recipient.Delivery.SENDING:
        return "skipped"
    issued = doc.versions.filter(kind=Version.Kind.ISSUED).select_related("file").order_by("-number").first()
    with storage.open_blob(issued.file.sha256) as fh:
        content = fh.read()
    message = EmailMessage(
        subject=f"{doc.organ.name}: văn bản số {doc.number_symbol} ngày {format_date(doc.issued_date)}",
        body=(
            f"{doc.organ.name} gửi văn bản số {doc.number_symbol} ngày {format_date(doc.issued_date)}\n"
            f"V/v: {doc.subject}\n\nVăn bản điện tử có chữ ký số kèm theo thư này.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[r.email],
    )
    message.attach(issued.file_name, content, "application/pdf")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        Recipient.objects.filter(pk=r.pk).update(delivery=Recipient.Delivery.FAILED, error=str(exc)[:500])
        return "failed"
    with transaction.atomic():
        Recipient.objects.filter(pk=r.pk).update(delivery=Recipient.Delivery.DELIVERED, delivered_at=timezone.now(),
                                                 error="")  # fmt: skip
        audit.record(actor=doc.issued_by, action="outgoing.emailed", target=doc,
                     data={"recipient": r.pk, "email": r.email, "sha256": issued.file.sha256})  # fmt: skip
    return "sent"
