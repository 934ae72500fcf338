"""Failed sign-ins are limited on the back-office and the OAuth sign-in page (django-axes)."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from apps.core.signin_guard import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
PAGES = ["/accounts/login/", "/admin/login/"]


def sign_in(client, page, username, password, address="203.0.113.7"):
    return client.post(
        page,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail_until_locked(client, page, username, address="203.0.113.7"):
    answers = [
        sign_in(client, page, username, "wrong", address)
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    return answers


@pytest.mark.parametrize("page", PAGES)
def test_the_limit_locks_even_the_right_password_out_with_a_clear_answer(page):
    UserFactory(username="manager", is_staff=True)
    client = Client()

    answers = fail_until_locked(client, page, "manager")
    locked = sign_in(client, page, "manager", PASSWORD)

    assert [a.status_code for a in answers[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1].status_code == 429  # the failure that reaches the limit locks
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # not signed in


@pytest.mark.parametrize("page", PAGES)
def test_below_the_limit_the_right_password_signs_in(page):
    UserFactory(username="manager", is_staff=True)
    client = Client()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, page, "manager", "wrong")
    answer = sign_in(client, page, "manager", PASSWORD)

    assert answer.status_code == 302
    assert "_auth_user_id" in client.session


def test_one_username_tried_from_many_addresses_is_locked():
    UserFactory(username="manager", is_staff=True)
    client = Client()

    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/accounts/login/", "manager", "wrong", address=f"198.51.100.{n + 1}")
    answer = sign_in(client, "/accounts/login/", "manager", PASSWORD, address="192.0.2.99")

    assert answer.status_code == 429


def test_one_address_trying_many_usernames_is_locked_and_others_are_not():
    UserFactory(username="manager", is_staff=True)
    client = Client()

    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/admin/login/", f"guess{n}", "wrong", address="203.0.113.7")
    from_there = sign_in(client, "/admin/login/", "manager", PASSWORD, address="203.0.113.7")
    elsewhere = sign_in(Client(), "/admin/login/", "manager", PASSWORD, address="192.0.2.1")

    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/accounts/login/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20",  # the client wrote the first entry
    )

    settings.TRUSTED_PROXY_COUNT = 0
    direct = client_ip(request)
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = client_ip(request)

    assert direct == "10.0.0.2"
    assert proxied == "198.51.100.20"
