"""rdh_chain.profiles: the canonical document, its hash, parsing and the store's verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.profiles import (
    MatchStatus,
    Profile,
    ProfileError,
    ProfileKind,
    ProfileStore,
    match_profile,
    match_profiles,
)

CHEF = Profile("Chef Zhang Weili", ProfileKind.PARTNER, "Roast duck recipes.")


def test_canonical_bytes_sort_keys_without_spaces_in_utf8() -> None:
    assert CHEF.canonical() == (
        b'{"kind":"partner","name":"Chef Zhang Weili","note":"Roast duck recipes."}'
    )
    assert Profile("张伟力", ProfileKind.PARTNER).canonical() == (
        '{"kind":"partner","name":"张伟力"}'.encode()
    )
    assert CHEF.hash == keccak(CHEF.canonical())


def test_parse_accepts_any_spacing_and_key_order_and_gives_the_same_hash() -> None:
    text = '{ "note": "Roast duck recipes.",\n  "name": "Chef Zhang Weili", "kind": "partner" }'
    assert Profile.parse(text) == CHEF
    assert Profile.parse(text.encode()).hash == CHEF.hash


def test_a_note_changes_the_hash_and_no_note_means_no_key() -> None:
    bare = Profile("Chef Zhang Weili", ProfileKind.PARTNER)
    assert bare.as_dict() == {"kind": "partner", "name": "Chef Zhang Weili"}
    assert bare.hash != CHEF.hash


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "must be JSON"),
        ("[1, 2]", "is a JSON object"),
        ('{"kind": "me"}', "needs 'name'"),
        ('{"name": "X"}', "needs 'kind'"),
        ('{"name": "X", "kind": "chef"}', "kind 'chef' is not one of me, partner, platform"),
        ('{"name": "X", "kind": "me", "role": "me"}', "Unknown profile key"),
        ('{"name": 5, "kind": "me"}', "'name' must be a string"),
        ('{"name": "  ", "kind": "me"}', "needs a name"),
        ('{"name": " X", "kind": "me"}', "leading or trailing spaces"),
        ('{"name": "X", "kind": "me", "note": ""}', "note, if given, must be a non-empty"),
        (json.dumps({"name": "x" * 121, "kind": "me"}), "121 characters long; at most 120"),
        (b"\xff\xfe", "must be UTF-8"),
    ],
)
def test_parse_says_what_is_wrong(document: str | bytes, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as caught:
        Profile.parse(document)
    assert isinstance(caught.value, InvalidInputError)  # the CLI's "input to correct"


def test_store_files_are_named_by_hash_and_hold_the_canonical_bytes(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    digest = store.put(CHEF)
    assert digest == CHEF.hash
    assert (tmp_path / "profiles" / f"{digest.hex()}.json").read_bytes() == CHEF.canonical()
    assert store.get(digest) == CHEF
    assert store.get(keccak(text="something else")) is None


def test_match_profile_is_matched_when_a_stored_document_hashes_to_the_metadata(
    tmp_path: Path,
) -> None:
    store = ProfileStore(tmp_path)
    store.put(CHEF)
    found = match_profile(CHEF.hash, store)
    assert (found.status, found.profile, found.trusted) == (MatchStatus.MATCHED, CHEF, True)
    assert found.label == "Chef Zhang Weili"


def test_match_profile_is_missing_without_a_document(tmp_path: Path) -> None:
    found = match_profile(keccak(text="demo partner"), ProfileStore(tmp_path))
    assert (found.status, found.profile, found.label) == (MatchStatus.MISSING, None, None)


def test_a_profile_written_for_an_account_but_not_on_chain_is_a_mismatch(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    account = Account.create().address
    store.put(CHEF, account)
    on_chain = keccak(text="an older record")

    found = match_profile(on_chain, store, account)

    assert (found.status, found.profile, found.trusted) == (MatchStatus.MISMATCH, CHEF, False)
    assert found.document_hash == CHEF.hash
    assert found.label == "Chef Zhang Weili (unverified)"
    # Once the registry records the hash, the same store matches.
    assert match_profile(CHEF.hash, store, account).status is MatchStatus.MATCHED


def test_an_edited_document_no_longer_matches_the_hash_it_is_named_after(
    tmp_path: Path,
) -> None:
    store = ProfileStore(tmp_path)
    digest = store.put(CHEF)
    forged = Profile("Chef Zhang Weili", ProfileKind.PARTNER, "Paid twice.")
    store.path(digest).write_bytes(forged.canonical())

    found = match_profile(digest, store)

    assert (found.status, found.profile) == (MatchStatus.MISMATCH, forged)
    assert store.get(digest) is None
    assert found.label == "Chef Zhang Weili (unverified)"


def test_match_profiles_gives_each_account_its_verdict(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    chef, farm, stranger = (Account.create().address for _ in range(3))
    farm_profile = Profile("The duck farm", ProfileKind.PARTNER)
    store.put(CHEF, chef)
    store.put(farm_profile, farm)
    verdicts = match_profiles(
        {chef: CHEF.hash, farm: keccak(text="stale"), stranger: bytes(32)}, store
    )
    assert {a: v.status for a, v in verdicts.items()} == {
        chef: MatchStatus.MATCHED,
        farm: MatchStatus.MISMATCH,
        stranger: MatchStatus.MISSING,
    }


def test_store_write_failure_says_which_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RdhChainError, match=r"Cannot write the profile store .*file/profiles"):
        ProfileStore(blocker / "profiles").put(CHEF)
