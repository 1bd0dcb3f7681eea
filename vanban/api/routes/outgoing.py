from django.urls import URLPattern, path

from vanban.api.views import outgoing as views

urlpatterns: list[URLPattern] = [
    path("outgoing", views.OutgoingListView.as_view(), name="api-outgoing-list"),
    path("outgoing/<int:pk>", views.OutgoingDetailView.as_view(), name="api-outgoing-detail"),
    path("outgoing/<int:pk>/versions", views.VersionsView.as_view(), name="api-outgoing-versions"),
    path(
        "outgoing/<int:pk>/versions/<int:version_id>/file",
        views.VersionFileView.as_view(),
        name="api-outgoing-version-file",
    ),
    path("outgoing/<int:pk>/reviews", views.ReviewsView.as_view(), name="api-outgoing-reviews"),
    path("outgoing/<int:pk>/submit", views.SubmitView.as_view(), name="api-outgoing-submit"),
    path("outgoing/<int:pk>/approve", views.ApproveView.as_view(), name="api-outgoing-approve"),
    path("outgoing/<int:pk>/return", views.ReturnView.as_view(), name="api-outgoing-return"),
    path("outgoing/<int:pk>/opinions", views.OpinionView.as_view(), name="api-outgoing-opinions"),
    path("outgoing/<int:pk>/sign", views.SignView.as_view(), name="api-outgoing-sign"),
    path("outgoing/<int:pk>/issue", views.IssueView.as_view(), name="api-outgoing-issue"),
    path("outgoing/<int:pk>/recall", views.RecallView.as_view(), name="api-outgoing-recall"),
    path("outgoing/<int:pk>/corrections", views.CorrectionView.as_view(), name="api-outgoing-corrections"),
    path("outgoing/<int:pk>/copies", views.CopiesView.as_view(), name="api-outgoing-copies"),
    path("review-routes", views.ReviewRoutesView.as_view(), name="api-review-routes"),
    path("review-routes/<int:pk>", views.ReviewRouteDetailView.as_view(), name="api-review-route"),
    path("opinions/<int:pk>/answer", views.AnswerView.as_view(), name="api-opinion-answer"),
]
