from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanban.workflow"
    label = "workflow"
    verbose_name = "Trình, chỉ đạo và giao việc"
