from django.urls import URLPattern, path

from vanban.api.views import notifications as views

urlpatterns: list[URLPattern] = [
    path("notifications", views.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/unread-count", views.UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("notifications/read", views.MarkReadView.as_view(), name="api-notifications-read"),
    path("notifications/<int:pk>", views.NotificationDetailView.as_view(), name="api-notification"),
    path("notifications/email-deliveries", views.EmailProblemListView.as_view(), name="api-email-deliveries"),
    path("notifications/email-deliveries/<int:pk>/retry", views.EmailRetryView.as_view(), name="api-email-retry"),
    path("notifications/email-deliveries/<int:pk>/abandon", views.EmailAbandonView.as_view(),
         name="api-email-abandon"),
    path("me/notification-preferences", views.PreferencesView.as_view(), name="api-notification-preferences"),
]
