from django.urls import path

from vanban.web.views import security, tokens

urlpatterns = [
    path("quan-tri/bao-mat/", security.security_policy, name="security_policy"),
    path("tai-khoan/ma-truy-cap/", tokens.token_list, name="tokens"),
    path("tai-khoan/ma-truy-cap/<int:pk>/", tokens.token_detail, name="token_detail"),
    path("tai-khoan/ma-truy-cap/<int:pk>/thu-hoi/", tokens.token_revoke, name="token_revoke"),
]
