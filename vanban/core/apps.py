from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vanban.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from vanban.core import checks  # noqa: F401  (registers the deploy checks)
