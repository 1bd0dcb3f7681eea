from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vanban.api"
    label = "api"
    verbose_name = "API"
