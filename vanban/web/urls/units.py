from django.urls import path

from vanban.web.views import units

urlpatterns = [
    path("quan-tri/don-vi/", units.unit_list, name="units"),
    path("quan-tri/don-vi/them/", units.unit_create, name="unit_create"),
    path("quan-tri/don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("quan-tri/don-vi/<int:pk>/doi-ten/", units.unit_rename, name="unit_rename"),
    path("quan-tri/don-vi/<int:pk>/chuyen/", units.unit_move, name="unit_move"),
    path("quan-tri/don-vi/<int:pk>/sap-nhap/", units.unit_merge, name="unit_merge"),
    path("quan-tri/don-vi/<int:pk>/giai-the/", units.unit_dissolve, name="unit_dissolve"),
    path("quan-tri/chuc-vu/", units.position_list, name="positions"),
]
