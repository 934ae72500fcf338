"""The four OAuth2 endpoints, at the paths the contract names (no trailing slash)."""

from django.urls import path
from oauth2_provider.views import RevokeTokenView, TokenView

from apps.oauth.views import ConsentView, IntrospectView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize", ConsentView.as_view(), name="authorize"),
    path("token", TokenView.as_view(), name="token"),
    path("revoke", RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect", IntrospectView.as_view(), name="introspect"),
]
