from django.urls import URLPattern, path

from vanban.api.views import exchange as views

urlpatterns: list[URLPattern] = [
    path("exchange/inbox", views.InboxView.as_view(), name="api-exchange-inbox"),
    path("exchange/partners", views.PartnerListView.as_view(), name="api-exchange-partners"),
    path("exchange/partners/import", views.PartnerImportView.as_view(), name="api-exchange-partner-import"),
    path("exchange/partners/<int:pk>", views.PartnerDetailView.as_view(), name="api-exchange-partner"),
    path("exchange/tls", views.OutboundTlsView.as_view(), name="api-exchange-tls"),
    path("exchange/outbox", views.OutboxListView.as_view(), name="api-exchange-outbox"),
    path("exchange/outbox/<int:pk>/retry", views.OutboxRetryView.as_view(), name="api-exchange-outbox-retry"),
    path("exchange/outbox/<int:pk>/abandon", views.OutboxAbandonView.as_view(), name="api-exchange-outbox-abandon"),
    path("exchange/received", views.ReceivedListView.as_view(), name="api-exchange-received"),
    path("exchange/received/<int:pk>/accept", views.ReceivedAcceptView.as_view(), name="api-exchange-accept"),
    path("exchange/received/<int:pk>/refuse", views.ReceivedRefuseView.as_view(), name="api-exchange-refuse"),
    path("exchange/changes", views.ChangeListView.as_view(), name="api-exchange-changes"),
    path("exchange/changes/<int:pk>", views.ChangeDetailView.as_view(), name="api-exchange-change"),
    path("exchange/changes/<int:pk>/accept", views.ChangeAcceptView.as_view(), name="api-exchange-change-accept"),
    path("exchange/changes/<int:pk>/refuse", views.ChangeRefuseView.as_view(), name="api-exchange-change-refuse"),
]
