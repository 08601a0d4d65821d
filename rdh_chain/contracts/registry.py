"""Client for MemberRegistry."""

from __future__ import annotations

from eth_typing import ChecksumAddress

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

    # -- reads -----------------------------------------------------------------------

    def has_role(self, account: ChecksumAddress, role: Role) -> bool:
        return bool(self._call("hasRole", role.id, account))

    def is_active(self, account: ChecksumAddress, role: Role) -> bool:
        return bool(self._call("isActive", account, role.id))

    def member(self, account: ChecksumAddress) -> Member:
        status, since, _role_count, metadata = self._call("member", account)
        roles = tuple(r for r in Role if self.has_role(account, r)) if status else ()
        return Member(
            address=account,
            status=MemberStatus(status),
            since=int(since),
            metadata=bytes(metadata),
            roles=roles,
        )

    def restrictions(self) -> int:
        """How many times any account lost standing (suspensions, revoked or renounced roles)."""
        return int(self._call("restrictions"))

    def member_count(self) -> int:
        return int(self._call("memberCount"))

    def members(self) -> list[ChecksumAddress]:
        return [self._call("memberAt", i) for i in range(self.member_count())]
