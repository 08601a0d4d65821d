"""Versions kept as commitments: the header's share root and party hash match the entries in
the proposal's event, and whatever proves an account's share against them is checked.

A claim, an ``accountOf`` read, an investment and a notice show the account's share in each
version with a path to its root; a wrong one is refused and changes nothing. Proposals pass
the active version's parties, activations exactly the parties' signatures.
"""

from __future__ import annotations

from dataclasses import replace

from rdh_chain import contract_errors as errors
from rdh_chain.share_tree import ShareTree
from tests.contracts.helpers import Cast, assert_reverts, base_entries, raw_transact


def test_the_header_commits_to_the_entries_of_its_event(cast: Cast) -> None:
    emc = cast.emc()
    for version_id in (1, 2):
        header = emc.version(version_id)
        proposal = emc.proposal(version_id)
        tree = ShareTree(proposal.entries)
        assert header.shares_root == proposal.shares_root == tree.root
        assert header.parties_hash == tree.parties_hash
        assert header.party_count == len(tree.parties) == 3
        assert sorted(proposal.entries, key=lambda e: e.sort_key) == sorted(
            base_entries(cast), key=lambda e: e.sort_key
        )


def test_a_claim_with_a_tampered_share_is_refused(cast: Cast) -> None:
    member = cast.as_(cast.mes[0])
    emc = member.emc(cast.base_emc)
    (proof,) = emc.share_proofs(cast.mes[0].address)  # never claimed: the one epoch
    richer = replace(proof, path=replace(proof.path, operating_bps=9_000))
    assert_reverts(
        cast,
        lambda: raw_transact(member, emc, "claim", [richer.as_abi()]),
        errors.EmcInvalidShareProof,
        {"account": cast.mes[0].address, "epoch": 0},
    )


def test_a_member_cannot_pass_for_absent(cast: Cast) -> None:
    """Its neighbours' leaves are real, but it sits between them: the proof is refused."""
    member = cast.as_(cast.mes[0])
    emc = member.emc(cast.base_emc)
    tree = emc.share_tree(1)
    others = ShareTree(e for e in tree.entries if e.account != cast.mes[0].address)
    absent = others.proof(cast.mes[0].address)  # built from a tree without it
    assert_reverts(
        cast,
        lambda: raw_transact(member, emc, "claim", [absent.as_abi()]),
        errors.EmcInvalidShareProof,
        {"account": cast.mes[0].address, "epoch": 0},
    )


def test_every_unsynced_epoch_needs_its_proof(cast: Cast) -> None:
    member = cast.as_(cast.mes[0])
    emc = member.emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: raw_transact(member, emc, "claim", []),
        errors.EmcShareProofCount,
        {"account": cast.mes[0].address, "needed": 1, "given": 0},
    )
    # After a claim the epoch is cached: the next claim needs no proof at all.
    paid, _ = emc.claim()
    assert paid > 0
    assert emc.share_proofs(cast.mes[0].address) == []


def test_an_outsider_is_proven_to_hold_nothing(cast: Cast) -> None:
    emc = cast.emc()
    outsider = cast.mes[3].address
    (proof,) = emc.share_proofs(outsider)
    assert proof.path.account != outsider
    position = emc.position(outsider)
    assert (position.claimable, position.locked, position.paid) == (0, 0, 0)


def test_a_proposal_must_name_the_active_parties(cast: Cast) -> None:
    owner = cast.as_(cast.owner)
    emc = owner.emc(cast.base_emc)
    entries = [e.as_abi() for e in sorted(base_entries(cast), key=lambda e: e.sort_key)]
    parties = emc.current_parties()
    deadline = 2**40
    assert_reverts(
        cast,
        lambda: raw_transact(
            owner,
            emc,
            "proposeVersion",
            entries,
            bytes(32),
            deadline,
            parties[1:],
            emc.current_roles().as_abi(),
        ),
        errors.EmcCurrentPartiesMismatch,
        {"versionId": 1},
    )


def test_activation_needs_exactly_the_parties(cast: Cast) -> None:
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    outsider = cast.sign(emc, 2, [cast.mes[3]])
    swapped = sorted([*signatures[:2], *outsider], key=lambda s: int(s.signer, 16))
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, swapped),
        errors.EmcSignersNotParties,
        {"versionId": 2},
    )


def test_a_non_party_cannot_invest(cast: Cast) -> None:
    outsider = cast.as_(cast.mes[3])
    emc = outsider.emc(cast.base_emc)
    path = emc.share_tree(1).proof(cast.mes[3].address).path  # a neighbour's leaf
    assert_reverts(
        cast,
        lambda: raw_transact(outsider, emc, "invest", 1, path.as_abi()),
        errors.EmcNotAMember,
        {"account": cast.mes[3].address},
    )
