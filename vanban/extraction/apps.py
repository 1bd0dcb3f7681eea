from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "vanban.extraction"
    label = "extraction"
    verbose_name = "Đọc tự động văn bản"
