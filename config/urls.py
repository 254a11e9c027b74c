from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import PasswordChangeView

from .views import favicon

admin.site.site_header = "预算绩效目标申报 管理后台"
admin.site.site_title = "预算绩效目标申报 管理后台"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("favicon.ico", favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-change/", PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("", include("public.urls")),
    path("", include("jobs.urls")),
    path("", include("evaluation.urls")),
    path("", include("review.urls")),
    path("", include("declarations.urls")),
]
