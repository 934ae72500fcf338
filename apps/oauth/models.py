"""Apps (OAuth2 clients), the subscriptions that grant them scopes, and API keys."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings

from apps.core.models import StringListField

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def insecure_redirect_uris(redirect_uris: str) -> list[str]:
    """The URIs that would carry a code over plain HTTP off this machine: anything not https,
    except http to a loopback host (a native app listening on the user's own machine)."""
    insecure = []
    for uri in redirect_uris.split():
        try:
            parts = urlsplit(uri)
            host = parts.hostname
        except ValueError:
            continue  # malformed: DOT's own validation reports it
        scheme = parts.scheme.lower()
        if scheme == "https" or (scheme == "http" and host in LOOPBACK_HOSTS):
            continue
        insecure.append(uri)
    return insecure


class Application(AbstractApplication):
    """An app built by a third party (or by us). Declares the scopes it may ever ask for."""

    allowed_scopes = StringListField(help_text="Scopes this app may request (resource|action).")
    halted_at = models.DateTimeField(null=True, blank=True)
    halted_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    @property
    def is_halted(self) -> bool:
        return self.halted_at is not None

    def clean(self) -> None:
        """DOT's checks, and redirect URIs must be https unless they point at loopback. Every
        way an app is created or edited (the back-office, create_app, the services) cleans it."""
        insecure = insecure_redirect_uris(self.redirect_uris or "")
        errors: dict = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if insecure:
            errors.setdefault("redirect_uris", []).append(
                ValidationError(
                    "Redirect URIs must use https (plain http only to 127.0.0.1, ::1 or "
                    "localhost): %(uris)s",
                    code="insecure_redirect_uri",
                    params={"uris": ", ".join(insecure)},
                )
            )
        if errors:
            raise ValidationError(errors)

    def allows_grant_type(self, *grant_types):
        # A confidential app that uses the authorization code flow may also use client
        # credentials for its own, user-less calls (granted by the administrations'
        # subscriptions); DOT allows one grant type per app otherwise.
        if (
            self.client_type == self.CLIENT_CONFIDENTIAL
            and self.authorization_grant_type == self.GRANT_AUTHORIZATION_CODE
            and self.GRANT_CLIENT_CREDENTIALS in grant_types
        ):
            return True
        return super().allows_grant_type(*grant_types)


class Subscription(models.Model):
    """An administration's grant of scopes to an app (the vendor's app installation)."""

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="subscriptions"
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    scopes = StringListField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "application"], name="unique_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} @ {self.administration}"


class ApiKey(models.Model):
    """A secret for ``X-API-KEY``. Only its SHA-256 is stored; the prefix finds the row."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = StringListField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TokenGrant(models.Model):
    """The administrations a user chose on the consent page for one access token."""

    access_token = models.ForeignKey(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        related_name="administration_grants",
    )
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["access_token", "administration"], name="unique_token_grant"
            )
        ]

    def __str__(self) -> str:
        return f"token {self.access_token_id} → administration {self.administration_id}"


class ConsentedGrant(models.Model):
    """The administrations a user picked on the consent page, waiting for the code exchange."""

    code = models.CharField(max_length=255, unique=True)
    administration_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"consent for {len(self.administration_ids)} administration(s)"
