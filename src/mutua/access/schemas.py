"""Response shapes of the access context's API routes (their OpenAPI schema)."""

from __future__ import annotations

from pydantic import BaseModel

from mutua.access.domain import Profile
from mutua.kernel.access import User
from mutua.platform.web.paging import Page


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the token type, not a secret
    expires_in: int


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    member: str | None
    may: list[str]

    @classmethod
    def of(cls, profile: Profile) -> Me:
        return cls(
            username=profile.username,
            display_name=profile.display_name,
            role=profile.role.value,
            member=profile.member,
            may=[a.value for a in profile.may],
        )


class UserOut(BaseModel):
    username: str
    role: str
    member: str | None
    display_name: str = ""
    active: bool = True

    @classmethod
    def of(cls, user: User, active: bool = True) -> UserOut:
        return cls(
            username=user.username,
            role=user.role.value,
            member=user.member,
            display_name=user.display_name,
            active=active,
        )


class UserPage(Page[UserOut]):
    """A page of user accounts."""
