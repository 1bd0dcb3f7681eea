from django.urls import path

from vanban.web.views import delegations, directory

urlpatterns = [
    path("danh-ba/", directory.directory, name="directory"),
    path("danh-ba/don-vi/<int:pk>/", directory.directory_unit, name="directory_unit"),
    path("uy-quyen/", delegations.delegation_list, name="delegations"),
    path("uy-quyen/<int:pk>/thu-hoi/", delegations.delegation_revoke, name="delegation_revoke"),
]
