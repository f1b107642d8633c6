"""URLs of the local OpenID Connect provider: allauth's sign-in pages and its OIDC endpoints
(discovery at /.well-known/openid-configuration, authorize, token, userinfo, JWKS)."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("allauth.idp.urls")),
]
