from django.contrib.auth import views as auth_views
from django.urls import path

from parindex.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("bo-tieu-chi/", views.framework_list, name="framework_list"),
    path("bo-tieu-chi/<str:code>/", views.framework_detail, name="framework_detail"),
    path(
        "bo-tieu-chi/<str:code>/tai-ve.<str:fmt>",
        views.framework_download,
        name="framework_download",
    ),
    path("ky-danh-gia/", views.cycle_list, name="cycle_list"),
    path("ky-danh-gia/<int:pk>/", views.cycle_detail, name="cycle_detail"),
]
