"""The product's URLs plus plain Django views: the ceiling the API is compared with."""

import json

from django.http import HttpResponse
from django.urls import path

from apps.administrations.models import Administration
from config.urls import urlpatterns as product_urls


def plain_administrations(request):
    """The same rows as the benchmarked API call, serialized with json.dumps and nothing else."""
    currencies = request.GET.get("currency", "").split(",")
    size = int(request.GET.get("size", 30))
    rows = Administration.objects.filter(currency__in=currencies).order_by("pk")[:size]
    data = [
        {"id": str(a.pk), "name": a.name, "currency": a.currency, "utc_offset": a.utc_offset}
        for a in rows
    ]
    return HttpResponse(json.dumps({"data": data}), content_type="application/json")


urlpatterns = [path("bench/plain-administrations", plain_administrations), *product_urls]
