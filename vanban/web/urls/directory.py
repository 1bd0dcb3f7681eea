from django.urls import path

from vanban.web.views import delegations, directory

urlpatterns = [
    path("danh-ba/", directory.directory, name="directory"),
    path("uy-quyen/", delegations.delegation_list, name="delegations"),
    path("uy-quyen/<int:pk>/thu-hoi/", delegations.delegation_revoke, name="delegation_revoke"),
]
