from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanban.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from vanban.accounts import signals  # noqa: F401  (auth signal → audit)
