"""Client for one EMC (a clone of the EMC template)."""

from __future__ import annotations

from collections.abc import Sequence

from eth_typing import ChecksumAddress

from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Position,
    ShareClass,
    ShareEntry,
    Totals,
    Version,
    VersionStatus,
)


class EmcClient(ContractClient):
    artifact_name = "EMC"

    # -- writes ----------------------------------------------------------------------

    def propose_version(
        self, entries: Sequence[ShareEntry], document_hash: bytes = bytes(32)
    ) -> tuple[int, TxResult]:
        """Propose a share version; returns its id and the receipt."""
        result = self._transact("proposeVersion", [e.as_abi() for e in entries], document_hash)
        return int(self.event(result, "VersionProposed")["args"]["versionId"]), result

    def activate_version(self, version_id: int) -> TxResult:
        return self._transact("activateVersion", version_id)

    def settle(self, report: PeriodReport) -> tuple[int, TxResult]:
        """Settle a period (the caller must have approved the profit); returns its number."""
        result = self._transact("settle", report.as_abi())
        return int(self.event(result, "PeriodSettled")["args"]["period"]), result

    def claim(self) -> tuple[int, TxResult]:
        """Claim everything claimable; returns the amount paid."""
        result = self._transact("claim")
        return int(self.event(result, "Claimed")["args"]["amount"]), result

    def withdraw_dev_fund(self, to: ChecksumAddress, amount: int, purpose: bytes) -> TxResult:
        return self._transact("withdrawDevFund", to, amount, purpose)

    # -- reads -----------------------------------------------------------------------

    def owner(self) -> ChecksumAddress:
        return ChecksumAddress(self._call("owner"))

    def status(self) -> EmcStatus:
        return EmcStatus(self._call("status"))

    def terms(self) -> EmcTerms:
        users, revenue, space, metadata = self._call("terms")
        return EmcTerms(int(users), int(revenue), int(space), bytes(metadata))

    def totals(self) -> Totals:
        periods, users, revenue, profit, paid, withdrawn, reached = self._call("totals")
        return Totals(
            int(periods),
            int(users),
            int(revenue),
            int(profit),
            int(paid),
            int(withdrawn),
            bool(reached),
        )

    def active_version_id(self) -> int:
        return int(self._call("activeVersionId"))

    def version_count(self) -> int:
        return int(self._call("versionCount"))

    def version(self, version_id: int) -> Version:
        status, epoch, from_period, count, proposed, activated, doc = self._call(
            "version", version_id
        )
        return Version(
            id=version_id,
            status=VersionStatus(status),
            epoch=int(epoch),
            from_period=int(from_period),
            entry_count=int(count),
            proposed_at=int(proposed),
            activated_at=int(activated),
            document_hash=bytes(doc),
        )

    def version_entries(self, version_id: int) -> list[ShareEntry]:
        return [
            ShareEntry(ChecksumAddress(account), ShareClass(cls), int(bps))
            for account, cls, bps in self._call("versionEntries", version_id)
        ]

    def shares_of(self, version_id: int, account: ChecksumAddress) -> dict[ShareClass, int]:
        """``account``'s basis points by class in ``version_id`` (classes it holds only)."""
        raw = self._call("shareOf", version_id, account)
        return {ShareClass(i): int(bps) for i, bps in enumerate(raw) if bps}

    def position(self, account: ChecksumAddress) -> Position:
        claimable, locked, paid, dust = self._call("accountOf", account)
        return Position(int(claimable), int(locked), int(paid), int(dust))
