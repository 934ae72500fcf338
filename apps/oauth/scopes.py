"""django-oauth-toolkit hook: the scope list."""

from oauth2_provider.scopes import BaseScopes

from apps.core.scopes import SCOPES


class ScopesBackend(BaseScopes):
    """An app may be granted only the scopes it declares (``Application.allowed_scopes``)."""

    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(SCOPES)
        allowed = set(application.allowed_scopes or [])
        return [scope for scope in SCOPES if scope in allowed]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
