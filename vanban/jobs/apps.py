from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vanban.jobs"
    label = "jobs"
    verbose_name = "Tác vụ nền"
