from django.urls import path

from vanban.web.views import records

urlpatterns = [
    path("ho-so/danh-muc/", records.plan_list, name="records_plans"),
    path("ho-so/danh-muc/<int:pk>/", records.plan_detail, name="records_plan"),
    path("ho-so/", records.dossier_list, name="records_dossiers"),
    path("ho-so/<int:pk>/", records.dossier_detail, name="records_dossier"),
    path("ho-so/<int:pk>/muc-luc.pdf", records.dossier_contents, name="records_dossier_contents"),
    path("ho-so/<int:pk>/tai-lieu/<int:item_id>/", records.item_file, name="records_item_file"),
    path("ho-so/bao-cao-bao-quan/", records.retention_report, name="records_retention"),
    path("ho-so/nop-luu/", records.transfer_list, name="records_transfers"),
    path("ho-so/nop-luu/<int:pk>/", records.transfer_detail, name="records_transfer"),
    path("ho-so/nop-luu/<int:pk>/goi.zip", records.transfer_package, name="records_transfer_package"),
    path("ho-so/luu-tru/", records.archive, name="records_archive"),
]
