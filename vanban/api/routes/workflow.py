from django.urls import URLPattern, path

from vanban.api.views import workflow as views

urlpatterns: list[URLPattern] = [
    path("incoming/awaiting", views.AwaitingView.as_view(), name="api-incoming-awaiting"),
    path("incoming/<int:pk>/presentations", views.PresentView.as_view(), name="api-incoming-present"),
    path("incoming/<int:pk>/workflow", views.DocumentWorkflowView.as_view(), name="api-incoming-workflow"),
    path("presentations", views.PresentationListView.as_view(), name="api-presentations"),
    path("presentations/<int:pk>/direction", views.DirectView.as_view(), name="api-presentation-direct"),
    path("presentations/<int:pk>/forward", views.ForwardView.as_view(), name="api-presentation-forward"),
    path("assignments", views.AssignmentListView.as_view(), name="api-assignments"),
    path("assignments/<int:pk>", views.AssignmentDetailView.as_view(), name="api-assignment"),
    path("assignments/<int:pk>/steps", views.AssignmentStepsView.as_view(), name="api-assignment-steps"),
    path("assignments/<int:pk>/reassign", views.ReassignView.as_view(), name="api-assignment-reassign"),
    path("assignments/<int:pk>/notes", views.NoteView.as_view(), name="api-assignment-notes"),
    path("assignments/<int:pk>/contributions", views.ContributionView.as_view(), name="api-assignment-contributions"),
    path("assignments/<int:pk>/progress", views.ProgressView.as_view(), name="api-assignment-progress"),
    path(
        "assignments/<int:pk>/extension-requests", views.ExtensionRequestView.as_view(), name="api-assignment-extension"
    ),
    path("assignments/<int:pk>/return", views.ReturnView.as_view(), name="api-assignment-return"),
    path("assignments/<int:pk>/complete", views.CompleteView.as_view(), name="api-assignment-complete"),
    path("extension-requests", views.ExtensionListView.as_view(), name="api-extensions"),
    path("extension-requests/<int:pk>/decision", views.ExtensionDecisionView.as_view(), name="api-extension-decide"),
    path("work/counts", views.CountsView.as_view(), name="api-work-counts"),
    path("assignments/<int:pk>/urge", views.UrgeView.as_view(), name="api-assignment-urge"),
    path("tasks", views.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:pk>", views.TaskDetailView.as_view(), name="api-task"),
]
