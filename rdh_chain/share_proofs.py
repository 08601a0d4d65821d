"""Share proofs for many accounts at one block: what batched ``accountOf`` reads need.

``accountOf(account, proofs)`` takes the account's share in every version it has not been
brought up to date with (``unsyncedEpochs``); this module reads those epochs and their
versions at a pinned block in JSON-RPC batches, builds the proofs from each version's
share tree and reads the positions, three round trips for any number of accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eth_typing import ChecksumAddress

from rdh_chain.contracts import EmcClient
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.share_tree import ShareProof, ShareTree
from rdh_chain.structs import struct_from_abi
from rdh_chain.types import Position

__all__ = ["TreeSource", "chain_trees", "read_positions", "read_proofs"]

# The share tree of an EMC's version: from the chain's logs, or from an index's events.
TreeSource = Callable[[EmcClient, int], ShareTree]


def chain_trees(block: int) -> TreeSource:
    """Trees read from each version's ``VersionProposed`` log (checked against its root)."""
    return lambda emc, version_id: emc.share_tree(version_id, block=block)


def read_proofs(
    block: int,
    wanted: Sequence[tuple[EmcClient, ChecksumAddress]],
    trees: TreeSource | None = None,
) -> list[list[ShareProof]]:
    """Each ``(emc, account)``'s share proofs as of ``block``, in order."""
    if not wanted:
        return []
    trees = trees or chain_trees(block)
    w3 = wanted[0][0].w3
    ranges = PinnedReads(w3, block)
    for emc, account in wanted:
        ranges.add(emc, "unsyncedEpochs", account)
    spans = [(int(r["from"]), int(r["to"])) for r in ranges.execute()]
    epochs = sorted(
        {
            (emc.address, e)
            for (emc, _), (start, end) in zip(wanted, spans, strict=True)
            for e in range(start, end)
        }
    )
    by_address = {emc.address: emc for emc, _ in wanted}
    versions_read = PinnedReads(w3, block)
    for address, epoch in epochs:
        versions_read.add(by_address[address], "epochVersion", epoch)
    version_of = {key: int(v) for key, v in zip(epochs, versions_read.execute(), strict=True)}
    # One tree per version, however many accounts walk it.
    built = {
        (address, version_id): trees(by_address[address], version_id)
        for (address, _), version_id in version_of.items()
    }
    return [
        [
            built[(emc.address, version_of[(emc.address, epoch)])].proof(account)
            for epoch in range(start, end)
        ]
        for (emc, account), (start, end) in zip(wanted, spans, strict=True)
    ]


def read_positions(
    block: int,
    wanted: Sequence[tuple[EmcClient, ChecksumAddress]],
    trees: TreeSource | None = None,
    *,
    proofs: Sequence[Sequence[ShareProof]] | None = None,
) -> list[Position]:
    """Each ``(emc, account)``'s position (``accountOf``) as of ``block``, in order
    (``proofs``: what :func:`read_proofs` gave for them, if the caller has it)."""
    if not wanted:
        return []
    if proofs is None:
        proofs = read_proofs(block, wanted, trees)
    reads = PinnedReads(wanted[0][0].w3, block)
    for (emc, account), shown in zip(wanted, proofs, strict=True):
        reads.add(emc, "accountOf", account, tuple(p.as_abi() for p in shown))
    return [struct_from_abi(Position, raw) for raw in reads.execute()]
