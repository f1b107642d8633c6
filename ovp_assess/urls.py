from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cities import account_views, sso, token_views

from . import health, signin, views

admin.site.site_header = _("OVP Assess administration")
admin.site.site_title = _("OVP Assess admin")
admin.site.index_title = _("Network data")

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/tokens/", token_views.api_tokens, name="api-tokens"),
    # allauth's reset page, with our throttle on the mails (ovp_assess/signin.py).
    path("accounts/password/reset/", signin.ThrottledPasswordResetView.as_view(),
         name="account_reset_password"),
    # Sign-in, sign-out, password reset and change, email addresses (django-allauth), and
    # multi-factor sign-in under accounts/2fa/. docs/accounts.md
    path("accounts/sso/", sso.sso_start, name="sso-start"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("ovp_assess.api_urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include("cities.urls")),
    path("", include("criteria.urls")),
    path("", include("reports.urls")),
]
