from django.urls import path

from vanban.web.views import outgoing_exports

urlpatterns = [
    path("van-ban-di/xuat-so/", outgoing_exports.outgoing_register_export, name="outgoing_register_export"),
]
