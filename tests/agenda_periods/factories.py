import datetime as dt

import factory

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from tests.rentables.factories import RentableFactory


class AgendaPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaPeriod

    rentable = factory.SubFactory(RentableFactory)
    administration = factory.SelfAttribute("rentable.administration")
    period_type = PeriodType.MAINTENANCE
    start_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=10))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=3))
