from django.urls import URLPattern, path

from vanban.api.views import security as views
from vanban.api.views import two_factor

urlpatterns: list[URLPattern] = [
    path("tokens", views.TokenListView.as_view(), name="api-token-list"),
    path("tokens/<int:pk>/revoke", views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("tokens/<int:pk>/uses", views.TokenUseListView.as_view(), name="api-token-uses"),
    path("security/two-factor-policy", views.TwoFactorPolicyView.as_view(), name="api-two-factor-policy"),
    path(
        "security/two-factor-policy/<str:role>",
        views.TwoFactorPolicyRoleView.as_view(),
        name="api-two-factor-policy-role",
    ),
    path("me/password", views.MePasswordView.as_view(), name="api-me-password"),
    path("me/two-factor", two_factor.MeTwoFactorView.as_view(), name="api-me-two-factor"),
    path("me/two-factor/setup", two_factor.MeTwoFactorSetupView.as_view(), name="api-me-two-factor-setup"),
    path("me/two-factor/confirm", two_factor.MeTwoFactorConfirmView.as_view(), name="api-me-two-factor-confirm"),
    path("me/logout-everywhere", views.MeLogoutEverywhereView.as_view(), name="api-me-logout-everywhere"),
]
