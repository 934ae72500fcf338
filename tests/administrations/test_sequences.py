"""Per-administration counters (booking numbers, debtor codes)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.administrations.models import Sequence
from apps.administrations.services import sequence_next
from tests.factories import AdministrationFactory

pytestmark = pytest.mark.django_db


def test_a_counter_starts_at_its_start_and_counts_up_per_administration():
    # given
    first, second = AdministrationFactory(), AdministrationFactory()

    # when
    numbers = [sequence_next(administration=first, name="booking_nr", start=100) for _ in range(3)]
    other = sequence_next(administration=second, name="booking_nr", start=100)
    debtor = sequence_next(administration=first, name="debtor_code")

    # then
    assert numbers == [100, 101, 102]
    assert other == 100
    assert debtor == 1
    assert Sequence.objects.get(administration=first, name="booking_nr").value == 102


def test_a_number_drawn_in_a_rolled_back_transaction_is_drawn_again():
    # given
    administration = AdministrationFactory()
    sequence_next(administration=administration, name="booking_nr")

    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        sequence_next(administration=administration, name="booking_nr")
        raise RuntimeError

    # then: gap-free
    assert sequence_next(administration=administration, name="booking_nr") == 2


def test_drawing_from_an_existing_counter_is_one_statement():
    # given
    administration = AdministrationFactory()
    sequence_next(administration=administration, name="booking_nr")

    # when
    with CaptureQueriesContext(connection) as queries:
        number = sequence_next(administration=administration, name="booking_nr")

    # then: no read before the write, no savepoint around it
    assert number == 2
    assert len(queries.captured_queries) == 1
