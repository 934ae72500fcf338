"""The command-line contracts other tools rely on (spec README §10)."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.administrations.models import Administration
from apps.oauth.models import ApiKey
from tests.jsonapi import JsonApiClient

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_administration_prints_its_id_last():
    lines = run("create_administration", "--name", "Sunny Dunes")

    assert Administration.objects.get(pk=int(lines[-1])).name == "Sunny Dunes"


def test_create_administration_refuses_a_bad_time_zone():
    with pytest.raises(CommandError, match="time zone"):
        run("create_administration", "--name", "X", "--timezone", "Mars/Olympus")


def test_create_api_key_prints_a_working_key_last(administration):
    lines = run(
        "create_api_key",
        "--administration",
        str(administration.pk),
        "--scopes",
        "administration|read reservation|read",
    )
    key = lines[-1]

    response = JsonApiClient().authorize(key).get("/v3/administrations")

    assert response.status_code == 200
    assert ApiKey.objects.get().scopes == ["administration|read", "reservation|read"]


def test_create_api_key_all_scopes(administration):
    run("create_api_key", "--administration", str(administration.pk), "--scopes", "all")

    assert len(ApiKey.objects.get().scopes) > 100


@pytest.mark.parametrize(
    "args, message",
    [
        (["--administration", "999999", "--scopes", "all"], "No administration"),
        (["--scopes", "nonsense|read"], "Unknown scope"),
    ],
)
def test_create_api_key_errors(administration, args, message):
    if "--administration" not in args:
        args = ["--administration", str(administration.pk), *args]
    with pytest.raises(CommandError, match=message):
        run("create_api_key", *args)


def test_seed_demo_is_idempotent_and_prints_a_working_key():
    first = run("seed_demo")
    counts = (Administration.objects.count(), ApiKey.objects.count())
    second = run("seed_demo")

    assert first[-1] == second[-1]
    assert (Administration.objects.count(), ApiKey.objects.count()) == counts
    response = JsonApiClient().authorize(second[-1]).get("/v3/administrations")
    assert response.status_code == 200
    assert response.doc["data"][0]["attributes"]["description"]["nl"]


def test_production_settings_refuse_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_start_with_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


def test_create_app_prints_its_client_credentials_last(administration):
    from apps.oauth.models import Application, Subscription

    confidential = run(
        "create_app",
        "--name",
        "Acme",
        "--redirect-uri",
        "https://acme.example.com/cb",
        "--scopes",
        "booking|read",
        "--subscribe",
        str(administration.pk),
    )
    public = run(
        "create_app", "--name", "Widget", "--redirect-uri", "https://w.example.com/cb", "--public"
    )

    client_id, secret = confidential[-1].split()
    app = Application.objects.get(client_id=client_id)
    assert app.client_type == "confidential" and app.allowed_scopes == ["booking|read"]
    assert secret != app.client_secret  # stored hashed
    assert Subscription.objects.get(application=app).administration == administration
    public_id, dash = public[-1].split()
    assert dash == "-"
    assert Application.objects.get(client_id=public_id).client_type == "public"


def test_create_app_refuses_unknown_administrations():
    with pytest.raises(CommandError, match="No administration"):
        run(
            "create_app",
            "--name",
            "X",
            "--redirect-uri",
            "https://x.example.com/cb",
            "--subscribe",
            "424242",
        )


def test_seed_demo_prints_the_demo_apps():
    lines = run("seed_demo")

    assert any(line.startswith("Demo channel manager: client_id=demo-") for line in lines)
    assert any("Demo booking widget" in line and "PKCE" in line for line in lines)
