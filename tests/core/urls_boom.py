"""The real URLs plus one view that fails, for the error-reporting test."""

from django.urls import path

from config.urls import urlpatterns as real_urlpatterns


def boom(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("boom", boom), *real_urlpatterns]
handler500 = "apps.core.errors.handler500"
