from django.urls import URLPattern, path

from vanban.api.views import accounts as views

urlpatterns: list[URLPattern] = [
    path("accounts", views.AccountListView.as_view(), name="api-account-list"),
    path("accounts/<int:pk>", views.AccountDetailView.as_view(), name="api-account-detail"),
    path("accounts/<int:pk>/deactivate", views.AccountDeactivateView.as_view(), name="api-account-deactivate"),
    path("accounts/<int:pk>/reactivate", views.AccountReactivateView.as_view(), name="api-account-reactivate"),
    path(
        "accounts/<int:pk>/reset-password", views.AccountResetPasswordView.as_view(), name="api-account-reset-password"
    ),
    path("accounts/<int:pk>/unlock", views.AccountUnlockView.as_view(), name="api-account-unlock"),
    path("accounts/<int:pk>/disable-2fa", views.AccountDisableTwoFactorView.as_view(), name="api-account-disable-2fa"),
    path("accounts/<int:pk>/appointments", views.AccountAppointmentsView.as_view(), name="api-account-appointments"),
    path("appointments/<int:pk>/end", views.AppointmentEndView.as_view(), name="api-appointment-end"),
    path("accounts/<int:pk>/roles", views.AccountRolesView.as_view(), name="api-account-roles"),
    path("role-grants/<int:pk>", views.RoleGrantDetailView.as_view(), name="api-role-grant-detail"),
]
