from django.urls import URLPattern, path

from vanban.api.views import notifications as views

urlpatterns: list[URLPattern] = [
    path("notifications", views.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/unread-count", views.UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("notifications/read", views.MarkReadView.as_view(), name="api-notifications-read"),
    path("notifications/<int:pk>", views.NotificationDetailView.as_view(), name="api-notification"),
    path("me/notification-preferences", views.PreferencesView.as_view(), name="api-notification-preferences"),
]
