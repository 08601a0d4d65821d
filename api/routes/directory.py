"""The member directory: every registered wallet with the name its profile gives it, so
that pages show names beside addresses."""

from __future__ import annotations

from typing import Annotated

from eth_typing import ChecksumAddress
from fastapi import APIRouter, Query

from api.auth.deps import AUTH_RESPONSES, ViewerDep
from api.deps import IndexDep
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES
from api.models import _Public
from rdh_chain.index import queries

router = APIRouter(prefix="/members", tags=["members"], responses=ERROR_RESPONSES)


class DirectoryEntryPublic(_Public):
    """A registered wallet, its name and kind (None without a profile), roles and status."""

    address: ChecksumAddress
    name: str | None
    kind: str | None
    verified: bool
    roles: list[str]
    active: bool


class DirectoryPublic(_Public):
    """A page of the directory, by address, from the index at ``as_of_block``."""

    as_of_block: int
    total: int
    limit: int
    offset: int
    items: list[DirectoryEntryPublic]


@router.get(
    "", summary="Every member with its name", responses={**INDEX_RESPONSES, **AUTH_RESPONSES}
)
def list_members(
    viewer: ViewerDep,
    index: IndexDep,
    limit: Annotated[int, Query(ge=1, le=1_000, description="Members per page.")] = 1_000,
    offset: Annotated[int, Query(ge=0, description="Members to skip.")] = 0,
) -> DirectoryPublic:
    """The registry's members as the index has them, with each one's name from its profile
    (marked unverified when the profile does not hash to its on-chain metadata), for any
    signed-in wallet: names are what every page shows beside addresses."""
    with index.view() as view:
        found = queries.members(view.session)
        block = view.block
    page = found[offset : offset + limit]
    return DirectoryPublic(
        as_of_block=block,
        total=len(found),
        limit=limit,
        offset=offset,
        items=[
            DirectoryEntryPublic(
                address=m.address,
                name=m.profile.label,
                kind=None if m.profile.kind is None else m.profile.kind.value,
                verified=m.profile.trusted,
                roles=list(m.roles),
                active=m.active,
            )
            for m in page
        ],
    )
