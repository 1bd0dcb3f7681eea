from django.urls import path

from vanban.web.views import incoming

urlpatterns = [
    path("van-ban-den/", incoming.incoming_list, name="incoming_list"),
    path("van-ban-den/dang-ky/", incoming.incoming_register, name="incoming_register"),
    path("van-ban-den/<int:pk>/", incoming.incoming_detail, name="incoming_detail"),
    path("van-ban-den/<int:pk>/tep/<int:file_id>/", incoming.incoming_file, name="incoming_file"),
    path(
        "van-ban-den/<int:pk>/tep/<int:file_id>/xem-truoc/", incoming.incoming_file_preview, name="incoming_file_preview"
    ),
    path(
        "van-ban-den/<int:pk>/tep/<int:file_id>/chu-ky/", incoming.incoming_file_signatures, name="incoming_file_signatures"
    ),
    path(
        "van-ban-den/<int:pk>/tep/<int:file_id>/xem-truoc/trang-1.png",
        incoming.incoming_file_preview_image,
        name="incoming_file_preview_image",
    ),
]
