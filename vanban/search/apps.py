from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanban.search"
    label = "search"
    verbose_name = "Tìm kiếm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vanban.search import signals  # noqa: F401  (keeps the index in the document's transaction)
