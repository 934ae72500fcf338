"""Fixtures of the operations tests."""

from __future__ import annotations

import pytest

from tests.operations.test_operations import _client
from tests.rentables.factories import CategoryFactory, RentableFactory


@pytest.fixture
def atomic(administration, make_key):
    return _client(administration, make_key, "all")


@pytest.fixture
def category(administration):
    return CategoryFactory(administration=administration)


@pytest.fixture
def rentable(category):
    return RentableFactory(category=category)
