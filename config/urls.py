from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from apps.calendars.views import ical_feed
from apps.core import views_meta
from apps.core.observability import metrics_view

urlpatterns = [
    path("health", views_meta.health, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("ical/<str:token>.ics", ical_feed, name="ical-feed"),
    path("v3/oas3.json", views_meta.openapi_document, name="oas3"),
    path("v3/docs", views_meta.docs, name="docs"),
    path("v3/docs/swagger-ui", views_meta.swagger_ui, name="swagger-ui"),
    path("v3/", include("config.api_router", namespace="v3")),
    re_path(r"^v3(/.*)?$", views_meta.api_not_found),
    path("oauth/", include("apps.oauth.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler400 = "apps.core.errors.handler400"
handler403 = "apps.core.errors.handler403"
handler404 = "apps.core.errors.handler404"
handler500 = "apps.core.errors.handler500"
