from django.urls import path

from vanban.web.views import accounts

urlpatterns = [
    path("quan-tri/tai-khoan/", accounts.account_list, name="accounts"),
    path("quan-tri/tai-khoan/them/", accounts.account_create, name="account_create"),
    path("quan-tri/tai-khoan/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("quan-tri/tai-khoan/<int:pk>/thong-tin/", accounts.account_update, name="account_update"),
    path("quan-tri/tai-khoan/<int:pk>/vo-hieu-hoa/", accounts.account_deactivate, name="account_deactivate"),
    path("quan-tri/tai-khoan/<int:pk>/kich-hoat/", accounts.account_reactivate, name="account_reactivate"),
    path(
        "quan-tri/tai-khoan/<int:pk>/dat-lai-mat-khau/", accounts.account_reset_password, name="account_reset_password"
    ),
    path("quan-tri/tai-khoan/<int:pk>/mo-khoa/", accounts.account_unlock, name="account_unlock"),
    path(
        "quan-tri/tai-khoan/<int:pk>/tat-xac-thuc-hai-lop/",
        accounts.account_disable_two_factor,
        name="account_disable_two_factor",
    ),
    path("quan-tri/tai-khoan/<int:pk>/bo-nhiem/", accounts.account_appoint, name="account_appoint"),
    path(
        "quan-tri/tai-khoan/<int:pk>/chuc-vu/<int:appointment_pk>/ket-thuc/",
        accounts.account_end_appointment,
        name="account_end_appointment",
    ),
    path("quan-tri/tai-khoan/<int:pk>/vai-tro/", accounts.account_grant_role, name="account_grant_role"),
    path(
        "quan-tri/tai-khoan/<int:pk>/vai-tro/<int:grant_pk>/thu-hoi/",
        accounts.account_revoke_role,
        name="account_revoke_role",
    ),
    path("quan-tri/tai-khoan/<int:pk>/ma-truy-cap/", accounts.account_token_create, name="account_token_create"),
]
