from django.urls import URLPattern, path

from vanban.api.views import organisation as views

urlpatterns: list[URLPattern] = [
    path("organs", views.OrganListView.as_view(), name="api-organ-list"),
    path("units", views.UnitListView.as_view(), name="api-unit-list"),
    path("units/<int:pk>", views.UnitDetailView.as_view(), name="api-unit-detail"),
    path("units/<int:pk>/name-at", views.UnitNameAtView.as_view(), name="api-unit-name-at"),
    path("units/<int:pk>/rename", views.UnitRenameView.as_view(), name="api-unit-rename"),
    path("units/<int:pk>/move", views.UnitMoveView.as_view(), name="api-unit-move"),
    path("units/<int:pk>/merge", views.UnitMergeView.as_view(), name="api-unit-merge"),
    path("units/<int:pk>/dissolve", views.UnitDissolveView.as_view(), name="api-unit-dissolve"),
    path("positions", views.PositionListView.as_view(), name="api-position-list"),
    path("delegations", views.DelegationListView.as_view(), name="api-delegation-list"),
    path("delegations/<int:pk>/revoke", views.DelegationRevokeView.as_view(), name="api-delegation-revoke"),
]
