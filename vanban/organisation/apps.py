from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "vanban.organisation"
    label = "organisation"
    verbose_name = "Tổ chức"
