from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản"

    def ready(self) -> None:
        from vanban.exchange import hooks
        from vanban.jobs import periodic

        hooks.connect()
        periodic.register("exchange", "vanban.exchange.periodic.run_once",
                          seconds_setting="VANBAN_EXCHANGE_POLL_SECONDS", default_seconds=5.0)
