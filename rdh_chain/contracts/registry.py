"""Client for MemberRegistry."""

from __future__ import annotations

from collections.abc import Sequence

from eth_typing import ChecksumAddress
from web3.types import BlockIdentifier

from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult
from rdh_chain.types import Member, MemberStatus, Role


class RegistryClient(ContractClient):
    artifact_name = "MemberRegistry"

    # -- writes ----------------------------------------------------------------------

    def add_member(
        self, account: ChecksumAddress, role: Role, metadata: bytes = bytes(32)
    ) -> TxResult:
        return self._transact("addMember", account, role.id, metadata)

    def suspend(self, account: ChecksumAddress, reason: bytes = bytes(32)) -> TxResult:
        return self._transact("suspendMember", account, reason)

    def reinstate(self, account: ChecksumAddress, reason: bytes = bytes(32)) -> TxResult:
        return self._transact("reinstateMember", account, reason)

    def set_metadata(self, account: ChecksumAddress, metadata: bytes) -> TxResult:
        return self._transact("setMetadata", account, metadata)

    def revoke_role(self, account: ChecksumAddress, role: Role) -> TxResult:
        """Take ``role`` away from ``account`` (signed by an active admin of that role)."""
        return self._transact("revokeRole", role.id, account)

    def renounce_role(self, role: Role, account: ChecksumAddress) -> TxResult:
        """Give up ``role``; ``account`` must be the signing wallet's own address (the
        contract's confirmation). The registry admin role cannot be renounced."""
        return self._transact("renounceRole", role.id, account)

    # -- reads (each at ``block``, the latest by default) --------------------------------

    def has_role(
        self, account: ChecksumAddress, role: Role, *, block: BlockIdentifier | None = None
    ) -> bool:
        return bool(self._call("hasRole", role.id, account, block=block))

    def is_admin(self, account: ChecksumAddress, *, block: BlockIdentifier | None = None) -> bool:
        """Whether ``account`` holds the registry's admin role (OpenZeppelin's
        ``DEFAULT_ADMIN_ROLE``, bytes32 zero), active or not."""
        return bool(self._call("hasRole", bytes(32), account, block=block))

    def is_active(
        self, account: ChecksumAddress, role: Role, *, block: BlockIdentifier | None = None
    ) -> bool:
        return bool(self._call("isActive", account, role.id, block=block))

    def first_inactive(
        self,
        accounts: Sequence[ChecksumAddress],
        role: Role,
        *,
        block: BlockIdentifier | None = None,
    ) -> int:
        """The index of the first of ``accounts`` that is not an active member holding
        ``role``, or ``len(accounts)`` if every one is: ``is_active`` of a list in one call
        (what a proposal asks of its parties)."""
        return int(self._call("firstInactive", list(accounts), role.id, block=block))

    def member(self, account: ChecksumAddress, *, block: BlockIdentifier | None = None) -> Member:
        raw = self._read("member", account, block=block)
        status = MemberStatus(raw["status"])
        roles = tuple(r for r in Role if self.has_role(account, r, block=block)) if status else ()
        return Member(
            address=account,
            status=status,
            since=int(raw["since"]),
            metadata=bytes(raw["metadata"]),
            roles=roles,
        )

    def restrictions(self, *, block: BlockIdentifier | None = None) -> int:
        """How many times any account lost standing (suspensions, revoked or renounced roles)."""
        return int(self._call("restrictions", block=block))

    def member_count(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("memberCount", block=block))

    def members(self, *, block: BlockIdentifier | None = None) -> list[ChecksumAddress]:
        count = self.member_count(block=block)
        return [ChecksumAddress(self._call("memberAt", i, block=block)) for i in range(count)]
