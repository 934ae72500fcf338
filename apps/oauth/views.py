"""The OAuth2 endpoints: DOT's views with our consent page and a tighter introspection."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlparse

from django import forms
from django.http import JsonResponse
from oauth2_provider.forms import AllowForm
from oauth2_provider.views import AuthorizationView, IntrospectTokenView

from apps.administrations.models import Administration
from apps.core.scopes import SCOPES
from apps.oauth.models import ConsentedGrant
from apps.oauth.selectors import previous_consent


def managed_administrations(user):
    """The administrations a signed-in user manages (superusers: every one)."""
    queryset = Administration.objects.order_by("name")
    return queryset if user.is_superuser else queryset.filter(memberships__user=user)


class ConsentForm(AllowForm):
    administrations = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administrations"].choices = [
            (str(a.pk), a.name) for a in managed_administrations(user)
        ]


class _ConsentNeeded(Exception):
    """Raised when DOT would skip the consent page but there is no earlier consent to reuse."""


class ConsentView(AuthorizationView):
    """Shows the app, each requested scope in words, and the administrations to grant.

    Every code is bound to an explicit set of administrations: the ones ticked here, or, when
    the page is skipped (``approval_prompt=auto`` with a live token, or an app marked
    ``skip_authorization``), exactly the set of the user's latest live consent for the same
    scopes. Without such a consent the page is shown, whatever the app or the request says.
    PKCE, when used, must be S256.
    """

    template_name = "oauth/consent.html"
    form_class = ConsentForm
    consented: list[int] | None = None  # set from the form; None while DOT decides to skip

    def get(self, request, *args, **kwargs):
        challenge = request.GET.get("code_challenge")
        method = request.GET.get("code_challenge_method", "plain")
        if challenge and method != "S256":
            return self.render_to_response(
                {
                    "error": {
                        "error": "invalid_request",
                        "description": "PKCE must use code_challenge_method=S256.",
                    }
                },
                status=400,
            )
        try:
            return super().get(request, *args, **kwargs)
        except _ConsentNeeded:
            # DOT stores what the page needs (the form included) before it tries to skip.
            return self.render_to_response(self.get_context_data(**self.oauth2_data))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        context["scope_words"] = [(scope, SCOPES.get(scope, scope)) for scope in scopes]
        context["administrations"] = managed_administrations(self.request.user)
        return context

    def form_valid(self, form):
        chosen = [int(pk) for pk in form.cleaned_data.get("administrations") or []]
        if form.cleaned_data.get("allow") and not chosen:
            form.add_error("administrations", "Choose at least one administration to grant.")
            return self.form_invalid(form)
        self.consented = chosen
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        """Every path to a code goes through here: the consent form, and DOT's two skips."""
        administration_ids = self.consented
        if allow and administration_ids is None:
            application = self.oauth2_data["application"]
            administration_ids = previous_consent(request.user, application, scopes)
            if not administration_ids:
                raise _ConsentNeeded
        uri, headers, body, status = super().create_authorization_response(
            request=request, scopes=scopes, credentials=credentials, allow=allow
        )
        code = parse_qs(urlparse(uri).query).get("code", [None])[0]
        if allow and code:
            ConsentedGrant.objects.create(code=code, administration_ids=administration_ids)
        return uri, headers, body, status


class IntrospectView(IntrospectTokenView):
    """RFC 7662 for confidential clients: a client learns about its own tokens only."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        return self._own_tokens_only(request, response)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        return self._own_tokens_only(request, response)

    @staticmethod
    def _caller(request) -> str | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return None
            return decoded.split(":", 1)[0]
        return request.POST.get("client_id")

    def _own_tokens_only(self, request, response):
        if response.status_code != 200:
            return response
        body = json.loads(response.content)
        if body.get("active") and body.get("client_id") != self._caller(request):
            return JsonResponse({"active": False})
        return response
