"""django-oauth-toolkit: apps are OAuth2 clients; scopes are the vendor's resource|action strings."""

from config.env import env

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth.Application"
# Named explicitly: migrations that point at a swappable model need the setting to exist.
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "oauth2_provider.DeviceGrant"

OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "apps.oauth.scopes.ScopesBackend",
    # Whether PKCE is required is decided per client by apps.oauth.validators.Validator.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH_ACCESS_TOKEN_EXPIRE_SECONDS", default=3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int(
        "OAUTH_REFRESH_TOKEN_EXPIRE_SECONDS", default=30 * 24 * 3600
    ),
    "ROTATE_REFRESH_TOKEN": True,
    "OAUTH2_VALIDATOR_CLASS": "apps.oauth.validators.Validator",
    # The consent page is always shown: the user picks the administrations each time.
    "REQUEST_APPROVAL_PROMPT": "force",
    # http only for loopback redirect URIs: apps.oauth.models.Application.clean refuses others.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # Access and refresh tokens are stored as a SHA-256 checksum only, never as issued.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # No user token without the consent page's code: the implicit and password grants are off
    # (they would mint a user's token with no administrations chosen), and PKCE is S256 only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
}
