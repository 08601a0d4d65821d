"""The SDK's share tree: every party's path leads to the root, every other account is shown
absent by its two neighbours, and nothing else verifies. The contracts' own check of the
same tree runs on chain in tests/contracts/test_share_proofs.py."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from rdh_chain.share_tree import NO_PATH, SharePath, ShareTree
from rdh_chain.types import ZERO_ADDRESS, ShareClass, ShareEntry


def _address(key: int) -> ChecksumAddress:
    return to_checksum_address(f"0x{key:040x}")


# EIP-712's ShareEntry type hash, spelt out: a leaf is built from the entries' struct hashes.
ENTRY_TYPE = keccak(text="ShareEntry(address account,uint8 shareClass,uint16 bps)")


def _leaf(path: SharePath) -> bytes:
    """A party's leaf, from the specification: the struct hash of its one entry, or the hash
    of its three classes' entry hashes (partner, operating, value-added; zero if absent)."""
    shares = (path.partner_bps, path.operating_bps, path.value_added_bps)
    hashes = [
        keccak(encode(("bytes32", "address", "uint8", "uint16"), (ENTRY_TYPE, path.account, c, b)))
        if b
        else bytes(32)
        for c, b in enumerate(shares)
    ]
    held = [h for h in hashes if h != bytes(32)]
    return held[0] if len(held) == 1 else keccak(b"".join(hashes))


def _verify(root: bytes, count: int, path: SharePath) -> bool:
    """ShareTree.sol's ``verify``, written out again from its specification."""
    depth = max(count - 1, 0).bit_length()
    if path.index >= count or len(path.siblings) != depth:
        return False
    node = _leaf(path)
    index = path.index
    for sibling in path.siblings:
        node = keccak(node + sibling) if index % 2 == 0 else keccak(sibling + node)
        index //= 2
    return node == root


def _entries(keys: list[int]) -> list[ShareEntry]:
    entries = [ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500)]
    for i, key in enumerate(keys):
        share_class = (ShareClass.PARTNER, ShareClass.OPERATING, ShareClass.VALUE_ADDED)[i % 3]
        entries.append(ShareEntry(_address(key), share_class, 10 + i))
    return entries


keys = st.sets(st.integers(min_value=1, max_value=2**160 - 1), min_size=1, max_size=256)


@settings(max_examples=60, deadline=None)
@given(keys)
def test_every_party_verifies_and_nothing_else(party_keys: set[int]) -> None:
    tree = ShareTree(_entries(sorted(party_keys)))
    assert tree.parties == [_address(k) for k in sorted(party_keys)]
    for index, account in enumerate(tree.parties):
        path = tree.party_path(account)
        assert path.index == index
        assert _verify(tree.root, len(tree.parties), path)
        # Another share, index or sibling does not lead to the root.
        assert not _verify(tree.root, len(tree.parties), _with(path, partner_bps=9_999))
        assert not _verify(tree.root, len(tree.parties), _with(path, index=index ^ 1))
        if path.siblings:
            flipped = (bytes(31) + bytes([path.siblings[0][-1] ^ 1]), *path.siblings[1:])
            assert not _verify(tree.root, len(tree.parties), _with(path, siblings=flipped))


@settings(max_examples=60, deadline=None)
@given(keys, st.integers(min_value=1, max_value=2**160 - 1))
def test_an_absent_account_is_shown_between_its_neighbours(
    party_keys: set[int], outsider: int
) -> None:
    tree = ShareTree(_entries(sorted(party_keys - {outsider})))
    count = len(tree.parties)
    if count == 0:
        return
    proof = tree.proof(_address(outsider))
    lower, upper = proof.path, proof.next
    # What EMCAccounting._proven accepts as absence.
    if lower is NO_PATH:
        assert upper.index == 0
    else:
        assert _verify(tree.root, count, lower)
        assert int(lower.account, 16) < outsider
    if upper is NO_PATH:
        assert lower.index == count - 1
    else:
        assert _verify(tree.root, count, upper)
        assert int(upper.account, 16) > outsider
        assert upper.index == (0 if lower is NO_PATH else lower.index + 1)


def test_the_fund_is_no_party_and_the_parties_hash_covers_the_roles() -> None:
    tree = ShareTree(_entries([3, 7]))
    assert ZERO_ADDRESS not in tree.parties
    packed = b"".join(bytes(12) + bytes.fromhex(a[2:]) for a in tree.parties)
    # _entries gives the first party a partner share, the second an operating one.
    assert (tree.roles.partner_mask, tree.roles.me_mask) == (0b01, 0b10)
    roles = encode(("bytes32", "uint256", "uint256"), (keccak(packed), 0b01, 0b10))
    assert tree.parties_hash == keccak(roles)
    assert tree.shares_of(_address(3)) == {ShareClass.PARTNER: 10}


def _with(path: SharePath, **changes: object) -> SharePath:
    fields = {
        "index": path.index,
        "account": path.account,
        "partner_bps": path.partner_bps,
        "operating_bps": path.operating_bps,
        "value_added_bps": path.value_added_bps,
        "siblings": path.siblings,
    }
    fields.update(changes)
    return SharePath(**fields)  # type: ignore[arg-type]
