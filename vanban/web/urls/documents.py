from django.urls import path

from vanban.web.views import documents

urlpatterns = [
    path("van-ban/so/", documents.register_list, name="registers"),
    path("van-ban/so/mo/", documents.register_open, name="register_open"),
    path("van-ban/so/<int:pk>/so-tiep-theo/", documents.register_next_number, name="register_next_number"),
    path("quan-tri/loai-van-ban/", documents.document_type_list, name="document_types"),
    path("quan-tri/loai-van-ban/<int:pk>/ngung/", documents.document_type_deactivate, name="document_type_deactivate"),
    path(
        "quan-tri/loai-van-ban/<int:pk>/dung-lai/", documents.document_type_reactivate, name="document_type_reactivate"
    ),
]
