"""Who is calling the dossiers service, by the platform's one token scheme
(`campaign_kit.identity`): a person's signed identity from the web workspace, or a static
`token:role[:unit_code]` entry for a machine client. This module only turns the kit's `Caller`
into the domain's `Principal` and its refusals into the domain's; what a role may do is decided
in `domain/access.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaign_contracts.campaign_file import Campaign
from campaign_dossiers.domain.access import Principal, Role
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from campaign_kit.identity import (
    Authenticator,
    IdentitySigner,
    StaticTokens,
    Unauthenticated,
)


@dataclass(frozen=True)
class AccessTokens:
    authenticator: Authenticator

    @classmethod
    def parse(cls, text: str, campaign: Campaign, signer: IdentitySigner | None = None
              ) -> AccessTokens:
        """Static entries (refusing a short token, an unknown role or unit) and, with a signer,
        the workspace's signed identities."""
        static = StaticTokens.parse(text, (u.code for u in campaign.units))
        return cls(Authenticator(static, signer))

    def __len__(self) -> int:
        return len(self.authenticator.static) + (self.authenticator.signer is not None)

    def authenticate(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> Principal:
        """The caller named by the call's metadata, or an UNAUTHENTICATED refusal."""
        try:
            caller = self.authenticator.authenticate(metadata)
        except Unauthenticated as exc:
            raise Refusal(RefusalKind.UNAUTHENTICATED, exc.reason, exc.message) from None
        try:
            role = Role(caller.role)
        except ValueError:
            raise Refusal(RefusalKind.FORBIDDEN, "role_not_allowed",
                          f"Vai trò '{caller.role}' không làm việc với hồ sơ khen thưởng."
                          ) from None
        return Principal(role, caller.unit_code, caller.person)
