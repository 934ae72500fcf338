import pytest

from tests.rentables.factories import CategoryFactory, RentableFactory


@pytest.fixture
def chalets(administration):
    category = CategoryFactory(administration=administration, max_number_of_people=4)
    return [RentableFactory(category=category) for _ in range(3)]


@pytest.fixture
def bookings_url(administration):
    return f"/v3/administrations/{administration.pk}/bookings"
