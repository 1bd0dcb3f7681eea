from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DocumentsConfig(AppConfig):
    name = "vanban.documents"
    label = "documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        from vanban.documents import checks  # noqa: F401  (registers the system check)
        from vanban.documents.signals import ensure_builtin_document_types

        post_migrate.connect(ensure_builtin_document_types, sender=self, dispatch_uid="documents_builtin_types")
