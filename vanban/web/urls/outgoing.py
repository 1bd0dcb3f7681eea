from django.urls import path

from vanban.web.views import outgoing

urlpatterns = [
    path("quan-tri/quy-trinh-duyet/", outgoing.review_routes, name="review_routes"),
    path("van-ban-di/", outgoing.outgoing_list, name="outgoing_list"),
    path("van-ban-di/hop/<slug:box>/", outgoing.outgoing_list, name="outgoing_box"),
    path("van-ban-di/soan-thao/", outgoing.outgoing_new, name="outgoing_new"),
    path("van-ban-di/<int:pk>/", outgoing.outgoing_detail, name="outgoing_detail"),
    path("van-ban-di/<int:pk>/sua/", outgoing.outgoing_edit, name="outgoing_edit"),
    path("van-ban-di/<int:pk>/phien-ban/<int:version_id>/", outgoing.outgoing_version_file,
         name="outgoing_version_file"),
    path("van-ban-di/<int:pk>/ban-sao/<int:copy_id>/", outgoing.outgoing_copy_file, name="outgoing_copy_file"),
]
