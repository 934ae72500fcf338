import datetime as dt
from decimal import Decimal

import factory

from apps.rates.models import Rate
from tests.rentables.factories import CategoryFactory


class RateFactory(factory.django.DjangoModelFactory):
    """A rate written straight to the table (no service): for arranging prices in tests."""

    class Meta:
        model = Rate

    category = factory.SubFactory(CategoryFactory)
    administration = factory.SelfAttribute("category.administration")
    start_date = factory.LazyFunction(dt.date.today)
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=30))
    price_per_night = Decimal("100.00")
    minimum_number_of_nights = None
