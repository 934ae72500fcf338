"""What an authenticated request may do: its app, its administrations and scopes in each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credential:
    """Set as ``request.auth`` by both authenticators (API key and OAuth bearer token).

    ``grants`` maps administration id → scopes granted there, and is all a credential reaches:
    no kind of credential (a superuser's token included) reaches administrations beyond it.
    """

    kind: str  # "api_key" or "oauth"
    identifier: str  # stable per credential: the rate-limit counter key
    application_id: int | None
    grants: Mapping[int, frozenset[str]] = field(default_factory=dict)
    token_scopes: frozenset[str] = frozenset()
    user_id: int | None = None
    api_key_id: int | None = None
    subscription_id: int | None = None
    # administrations already read with the credential (id -> row), so a request in one of
    # them does not read it again; only ever rows of ``grants``
    loaded: Mapping[int, object] = field(default_factory=dict, compare=False, repr=False)

    def can_access(self, administration_id: int) -> bool:
        return administration_id in self.grants

    def scopes_for(self, administration_id: int) -> frozenset[str]:
        return self.grants.get(administration_id, frozenset())

    @property
    def scopes(self) -> frozenset[str]:
        """Every scope held in at least one administration (for endpoints outside one)."""
        return frozenset().union(*self.grants.values()) if self.grants else frozenset()

    def administrations_with(self, scope: str) -> list[int]:
        """Ids of the administrations where ``scope`` is granted."""
        return [admin_id for admin_id, scopes in self.grants.items() if scope in scopes]
