from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cities import account_views, token_views

from . import health, signin, views

admin.site.site_header = _("OVP Assess administration")
admin.site.site_title = _("OVP Assess admin")
admin.site.index_title = _("Network data")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/tokens/", token_views.api_tokens, name="api-tokens"),
    path("accounts/password_reset/", signin.ThrottledPasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("ovp_assess.api_urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include("cities.urls")),
    path("", include("criteria.urls")),
    path("", include("reports.urls")),
]
