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


class ConsentView(AuthorizationView):
    """Shows the app, each requested scope in words, and the administrations to grant.

    The token that comes out of the code is bound to the administrations ticked here only.
    PKCE, when used, must be S256.
    """

    template_name = "oauth/consent.html"
    form_class = ConsentForm

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
        return super().get(request, *args, **kwargs)

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
        response = super().form_valid(form)
        code = parse_qs(urlparse(response.get("Location", "")).query).get("code", [None])[0]
        if code:
            ConsentedGrant.objects.create(code=code, administration_ids=chosen)
        return response


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
