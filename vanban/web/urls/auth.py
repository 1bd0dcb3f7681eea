from django.urls import path

from vanban.web.views import auth, home

urlpatterns = [
    path("", home.home, name="home"),
    path("dang-nhap/", auth.login_view, name="login"),
    path("dang-xuat/", auth.logout_view, name="logout"),
    path("dang-xuat/moi-noi/", auth.logout_everywhere_view, name="logout_everywhere"),
    path("tai-khoan/xac-thuc-hai-lop/", auth.otp_setup_view, name="otp_setup"),
    path("tai-khoan/xac-thuc-hai-lop/nhap-ma/", auth.otp_verify_view, name="otp_verify"),
    path("tai-khoan/doi-mat-khau/", auth.password_change_view, name="password_change"),
    path("tai-khoan/ca-nhan/", auth.profile_view, name="profile"),
]
