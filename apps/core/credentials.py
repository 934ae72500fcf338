"""What an authenticated request may do: its app, its administrations and scopes in each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credential:
    """Set as ``request.auth`` by both authenticators (API key and OAuth bearer token).

    ``grants`` maps administration id → scopes granted there. ``all_administrations`` is for a
    superuser's token, which reaches every administration with the token's own scopes.
    """

    kind: str  # "api_key" or "oauth"
    identifier: str  # stable per credential: the rate-limit counter key
    application_id: int | None
    grants: Mapping[int, frozenset[str]] = field(default_factory=dict)
    all_administrations: bool = False
    token_scopes: frozenset[str] = frozenset()
    user_id: int | None = None
    api_key_id: int | None = None
    subscription_id: int | None = None

    def can_access(self, administration_id: int) -> bool:
        return self.all_administrations or administration_id in self.grants

    def scopes_for(self, administration_id: int) -> frozenset[str]:
        if administration_id in self.grants:
            return self.grants[administration_id]
        return self.token_scopes if self.all_administrations else frozenset()

    @property
    def scopes(self) -> frozenset[str]:
        """Every scope held in at least one administration (for endpoints outside one)."""
        union = frozenset().union(*self.grants.values()) if self.grants else frozenset()
        return union | (self.token_scopes if self.all_administrations else frozenset())

    def administrations_with(self, scope: str) -> list[int] | None:
        """Ids of the administrations where ``scope`` is granted; None means every one."""
        if self.all_administrations and scope in self.token_scopes:
            return None
        return [admin_id for admin_id, scopes in self.grants.items() if scope in scopes]
