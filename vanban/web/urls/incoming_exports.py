from django.urls import path

from vanban.web.views import incoming_exports

urlpatterns = [
    path("van-ban-den/xuat-so/", incoming_exports.incoming_register_export, name="incoming_register_export"),
    path("van-ban-den/<int:pk>/phieu-nhan/", incoming_exports.incoming_receipt, name="incoming_receipt"),
]
