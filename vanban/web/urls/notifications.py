from django.urls import path

from vanban.web.views import notifications

urlpatterns = [
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path("thong-bao/chuong/", notifications.bell_count, name="bell_count"),
    path("thong-bao/gan-day/", notifications.bell_recent, name="bell_recent"),
    path("thong-bao/da-doc/", notifications.notification_mark_read, name="notifications_mark_read"),
    path("thong-bao/<int:pk>/mo/", notifications.notification_open, name="notification_open"),
    path("quan-tri/thu-dien-tu-loi/", notifications.email_failures, name="email_failures"),
    path("quan-tri/thu-dien-tu-loi/<int:pk>/gui-lai/", notifications.email_retry, name="email_retry"),
    path("quan-tri/thu-dien-tu-loi/<int:pk>/bo-qua/", notifications.email_abandon, name="email_abandon"),
    path("tai-khoan/ca-nhan/thong-bao/", notifications.notification_preferences, name="notification_preferences"),
]
