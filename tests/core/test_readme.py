"""The README, `.env.example` and `docker-compose.yml` tell the truth about the settings."""

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from apps.administrations.models import Administration
from tests.jsonapi import JsonApiClient

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def readme_section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def documented() -> set[str]:
    """Names in the first column of the Configuration table."""
    names = set()
    for line in readme_section("Configuration").splitlines():
        if line.startswith("| `"):
            names.update(NAME.findall(line.split("|")[1]))
    return names


def test_env_example_lists_exactly_what_the_readme_documents():
    listed = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]+)=",
            (ROOT / ".env.example").read_text(),
            re.MULTILINE,
        )
    )

    assert sorted(listed - documented()) == [], "in .env.example, not in the README"
    assert sorted(documented() - listed) == [], "in the README, not in .env.example"


def test_every_variable_the_code_reads_is_documented():
    read = set()
    sources = [*sorted((ROOT / "config").rglob("*.py")), ROOT / "apps/core/observability.py"]
    for path in sources:
        text = path.read_text()
        read.update(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        read.update(re.findall(r"os\.environ(?:\.get)?[\[(]\"([A-Z][A-Z0-9_]+)\"", text))
    read -= {"RUN_MAIN"}  # Django's autoreloader marker, not configuration

    assert {"DJANGO_SECRET_KEY", "METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR"} <= read
    assert sorted(read - documented()) == []


def test_compose_puts_a_proxy_in_front_and_documents_its_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    interpolated = set(
        re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text())
    )

    assert "ports" not in services["web"], "a fixed host port stops `--scale web=3`"
    assert services["proxy"]["ports"] == ["${PROXY_PORT:-8000}:80"]
    mounted = services["proxy"]["volumes"][0].split(":")[0]
    assert (ROOT / mounted).is_file()
    assert "http://web:8000" in (ROOT / mounted).read_text()
    environment = services["web"]["environment"]
    for name in ("DJANGO_SECRET_KEY", "API_BASE_URL", "DJANGO_CSRF_TRUSTED_ORIGINS"):
        assert name in environment
    assert sorted(interpolated - documented()) == []
    deployment = readme_section("Deployment")
    for step in ("createsuperuser", "create_api_key", "DJANGO_SECRET_KEY", "API_BASE_URL"):
        assert step in deployment


@pytest.mark.django_db
def test_the_month_example_for_calendar_days_returns_every_day(make_key):
    (line,) = [line for line in README.splitlines() if "/calendar_days?" in line]
    query = re.search(r"calendar_days\?([^\"]+)", line).group(1)
    assert "2027-03-01..2027-03-31" in query
    call_command("seed_demo", stdout=StringIO())
    demo = Administration.objects.get(name__startswith="Demo")
    rentable = demo.rentables.order_by("pk").first()
    client = JsonApiClient().authorize(make_key(demo))
    query = query.replace("filter[rentable]=1", f"filter[rentable]={rentable.pk}")

    response = client.get(f"/v3/administrations/{demo.pk}/calendar_days?{query}")

    assert response.status_code == 200, response.doc
    assert len(response.doc["data"]) == 31
    assert response.doc["data"][-1]["attributes"]["date"] == "2027-03-31"
