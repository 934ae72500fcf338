import pytest
from django.core.cache import cache

from apps.oauth.services import api_key_create
from tests.factories import AdministrationFactory
from tests.jsonapi import JsonApiClient


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def administration(db):
    return AdministrationFactory()


@pytest.fixture
def make_key(db):
    def make(administration, scopes="all", **kwargs):
        _, raw = api_key_create(administration=administration, scopes=scopes, **kwargs)
        return raw

    return make


@pytest.fixture
def anon():
    return JsonApiClient()


@pytest.fixture
def api(administration, make_key):
    """A client holding a key with every scope on ``administration``."""
    return JsonApiClient().authorize(make_key(administration))


@pytest.fixture
def client_for(make_key):
    def make(administration, scopes="all"):
        return JsonApiClient().authorize(make_key(administration, scopes))

    return make
