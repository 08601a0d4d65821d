"""Attacks on signed share versions, and what an auditor can rebuild from the chain.

Each attack submits signatures that some party really made, but for another chain,
another EMC, a used or stale nonce, after the deadline, in a malleated form, by a
wallet that is not a party, over other entries, or twice; or packs them other than the
layout says (``activateVersion`` takes them packed as a Safe packs its owners'). Each is
refused with its exact error and leaves the EMC as it was: the active version, every
version's status and the number of epochs (activations), besides everything
``Cast.state`` covers.

The EMC recovers each signer rather than being told it. The SDK
(``agreements.pack_signatures``) sends a signature that does not recover to its party as
a contract wallet's (ERC-1271), so the EMC names the party it refuses; packed as a plain
ECDSA signature (``_as_ecdsa``), a signature of other data recovers to a stranger, and the
EMC finds the signers out of order or not the parties (``_strangers_refused``).

The base EMC (see ``helpers.Cast``) has version 1 active (nonce 0) and version 2 proposed
(nonce 1) naming three parties: the chef, the owner (ME 0) and ME 1.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from eth_abi.abi import decode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.agreements import sign_version
from rdh_chain.contracts import EmcClient
from rdh_chain.events import VersionActivated
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.signatures import recover_signer
from rdh_chain.types import (
    ZERO_ADDRESS,
    PartySignature,
    Role,
    ShareClass,
    ShareEntry,
    VersionStatus,
)
from tests.contracts.helpers import (
    TERMS_REASON,
    Cast,
    assert_reverts,
    base_entries,
    deploy_one_key_wallet,
    increase_time,
    new_account,
    raw_transact,
)

# The order of secp256k1's group: (r, s) and (r, n - s) both verify under plain ECDSA.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ECRECOVER = "0x0000000000000000000000000000000000000001"


def _versions_state(emc: EmcClient) -> tuple[int, tuple[VersionStatus, ...], int]:
    """The active version, every version's status, and the number of activations so far."""
    active = emc.active_version_id()
    statuses = tuple(emc.version(i).status for i in range(1, emc.version_count() + 1))
    epochs = emc.version(active).epoch + 1 if active else 0
    return active, statuses, epochs


def _assert_refused(
    cast: Cast,
    emc: EmcClient,
    action: Callable[[], object],
    error: type[ContractRevertError],
    args: dict[str, Any],
) -> None:
    before = _versions_state(emc)
    assert_reverts(cast, action, error, args)
    assert _versions_state(emc) == before


def _parties(cast: Cast, emc: EmcClient, version_id: int) -> list[Any]:
    """The local wallets of ``version_id``'s parties, in signing order."""
    wallets = {a.address: a for a in cast.wallets}
    return [wallets[p] for p in emc.parties(version_id)]


def _substitute(
    signatures: list[PartySignature], signer: ChecksumAddress, replacement: PartySignature
) -> list[PartySignature]:
    return [replacement if s.signer == signer else s for s in signatures]


def _as_ecdsa(signatures: list[PartySignature]) -> bytes:
    """The 65-byte signatures as ECDSA fixed parts, sorted by the signer each claims: what a
    relayer sends that does not check them against the digest (the SDK does)."""
    ordered = sorted(signatures, key=lambda s: int(s.signer, 16))
    return b"".join(s.signature for s in ordered)


def _activate_raw(cast: Cast, emc: EmcClient, version_id: int, packed: bytes) -> object:
    roles = emc.share_tree(version_id).roles.as_abi()
    return raw_transact(cast.as_(cast.owner), emc, "activateVersion", version_id, packed, roles)


def _strangers_refused(
    cast: Cast, emc: EmcClient, version_id: int, signatures: list[PartySignature]
) -> None:
    """``signatures`` packed as plain ECDSA are refused for whom they recover to from the
    version's digest: the first signer not above the one before it is out of order, else
    the signers are not the parties."""
    digest = emc.version_digest(version_id)
    ordered = sorted(signatures, key=lambda s: int(s.signer, 16))
    recovered = [int(recover_signer(digest, s.signature), 16) for s in ordered]
    assert set(recovered) != {int(s.signer, 16) for s in signatures}  # someone is a stranger
    error: type[ContractRevertError] = errors.EmcSignersNotParties
    args: dict[str, Any] = {"versionId": version_id}
    for index, signer in enumerate(recovered):
        if signer <= (recovered[index - 1] if index else 0):
            error, args = errors.EmcSignersNotSorted, {"index": index}
            break
    _assert_refused(
        cast,
        emc,
        lambda: _activate_raw(cast, emc, version_id, _as_ecdsa(signatures)),
        error,
        args,
    )


# -- replay ------------------------------------------------------------------------------


def test_activate_version_reverts_when_signed_for_another_chain_id(cast: Cast) -> None:
    emc = cast.emc()
    typed = emc.typed_data(2)
    other_chain = copy.deepcopy(typed)
    other_chain["domain"]["chainId"] = typed["domain"]["chainId"] + 1
    first, *rest = _parties(cast, emc, 2)
    # The first party was shown the other chain's data; the others signed honestly.
    signatures = [sign_version(first, other_chain), *(sign_version(a, typed) for a in rest)]
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, signatures),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": 0, "signer": first.address},
    )
    _strangers_refused(cast, emc, 2, signatures)
    emc.activate_version(2, cast.sign(emc, 2))
    assert emc.active_version_id() == 2


def test_activate_version_reverts_when_signed_for_another_emc(cast: Cast) -> None:
    emc = cast.emc()
    # A second EMC of the same owner, brought to the same point: version 1 active and a
    # version 2 with the same entries, document, nonce and deadline as the base EMC's.
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, emc.terms(), TERMS_REASON
    )
    twin = cast.emc(address)
    cast.agree(address, base_entries(cast))
    twin.propose_version(base_entries(cast), deadline=emc.version(2).deadline)
    typed, twin_typed = emc.typed_data(2), twin.typed_data(2)
    assert twin_typed["message"] == typed["message"]
    assert twin_typed["domain"] == {**typed["domain"], "verifyingContract": address}

    twin_signatures = cast.sign(twin, 2)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, twin_signatures),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": 0, "signer": twin_signatures[0].signer},
    )
    _strangers_refused(cast, emc, 2, twin_signatures)
    # They are good signatures, for the EMC they name.
    twin.activate_version(2, twin_signatures)
    assert (twin.active_version_id(), emc.active_version_id()) == (2, 1)


def test_activate_version_reverts_when_signatures_resubmitted_after_activation(
    cast: Cast,
) -> None:
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    emc.activate_version(2, signatures)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, signatures),
        errors.EmcVersionNotProposed,
        {"versionId": 2, "status": VersionStatus.ACTIVE},
    )


def test_activate_version_reverts_when_another_version_activated_after_signing(
    cast: Cast,
) -> None:
    emc = cast.emc()
    v2_signatures = cast.sign(emc, 2)
    # Version 3 was proposed against the same single activation and is activated first.
    v3_id, _ = cast.agree(cast.base_emc, base_entries(cast), keccak(text="v3"))
    assert emc.version(2).nonce == emc.version(v3_id).nonce == 1
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, v2_signatures),
        errors.EmcVersionStale,
        {"versionId": 2, "nonce": 1, "current": 2},
    )
    # Proposed again with the same entries, it is a new version with a new nonce: the old
    # signatures do not carry over.
    v4_id, _ = cast.emc().propose_version(base_entries(cast))
    assert emc.version(v4_id).nonce == 2
    signer = v2_signatures[0].signer
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(v4_id, v2_signatures),
        errors.EmcInvalidSignature,
        {"versionId": v4_id, "index": 0, "signer": signer},
    )
    _strangers_refused(cast, emc, v4_id, v2_signatures)
    assert emc.version(2).status is VersionStatus.PROPOSED


def test_activate_version_reverts_when_deadline_passed_after_signing(cast: Cast) -> None:
    emc = cast.emc()
    deadline = emc.version(2).deadline
    signatures = cast.sign(emc, 2)
    now = increase_time(cast.w3, deadline - cast.w3.eth.get_block("latest")["timestamp"] + 1)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, signatures),
        errors.EmcDeadlinePassed,
        {"deadline": deadline, "nowTime": now},
    )


# -- forged or misplaced signatures ------------------------------------------------------


def _high_s_twin(signature: bytes) -> bytes:
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    assert v in (27, 28)
    assert s <= SECP256K1_N // 2
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def test_activate_version_reverts_when_a_signature_is_its_high_s_twin(cast: Cast) -> None:
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    original = signatures[1]
    twin = _high_s_twin(original.signature)
    # The EVM's ecrecover accepts the twin as the same signer's: only the contract's
    # low-s rule tells them apart.
    digest = emc.version_digest(2)
    recovered = cast.w3.eth.call(
        {"to": ECRECOVER, "data": digest + bytes(31) + twin[64:] + twin[:64]}
    )
    assert decode(["address"], recovered)[0].lower() == original.signer.lower()

    # It recovers to the party, so the SDK sends it as ECDSA; the EMC recovers nobody.
    malleated = _substitute(signatures, original.signer, PartySignature(original.signer, twin))
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, malleated),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": 1, "signer": ZERO_ADDRESS},
    )
    emc.activate_version(2, signatures)


def test_activate_version_takes_v_written_0_or_1_only_as_the_sdk_rewrites_it(cast: Cast) -> None:
    # Some wallets write v as the bare recovery id (0 or 1) rather than 27 or 28.
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    bare = [
        PartySignature(s.signer, s.signature[:64] + bytes([s.signature[64] - 27]))
        for s in signatures
    ]
    for index, party in enumerate(bare):
        # Packed as it is, v 1 is no ECDSA v (nobody recovers), and v 0 marks a contract
        # signature whose wallet address (r, a full 256-bit number) is no address.
        error, args = (
            (errors.EmcInvalidSignature, {"versionId": 2, "index": index, "signer": ZERO_ADDRESS})
            if party.signature[64]
            else (errors.EmcSignatureEncoding, {"index": index})
        )
        one_bare = _substitute(signatures, party.signer, party)
        _assert_refused(
            cast,
            emc,
            lambda: _activate_raw(cast, emc, 2, _as_ecdsa(one_bare)),  # noqa: B023
            error,
            args,
        )
    emc.activate_version(2, bare)
    assert emc.active_version_id() == 2


def test_activate_version_reverts_when_a_non_party_signs_in_place_of_a_party(
    cast: Cast,
) -> None:
    emc = cast.emc()
    outsider = cast.mes[5]  # a registered ME that version 2 does not name
    assert outsider.address not in emc.parties(2)
    signatures = cast.sign(emc, 2)
    replaced = signatures[1].signer
    own_name = sign_version(outsider, emc.typed_data(2))
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, _substitute(signatures, replaced, own_name)),
        errors.EmcSignersNotParties,
        {"versionId": 2},
    )
    # Nor can it pass its signature off as the party's: the SDK sends it as the party's
    # contract signature, and the party (a key) has no code to accept it ...
    posing = PartySignature(replaced, own_name.signature)
    posed = _substitute(signatures, replaced, posing)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, posed),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": 1, "signer": replaced},
    )
    # ... and as ECDSA in the party's place, it recovers to the outsider.
    _strangers_refused(cast, emc, 2, posed)


@pytest.mark.parametrize("tamper", ["bps", "account", "dropped", "document"])
def test_activate_version_reverts_when_a_party_signed_other_terms(cast: Cast, tamper: str) -> None:
    emc = cast.emc()
    typed = emc.typed_data(2)
    other = copy.deepcopy(typed)
    entries = other["message"]["entries"]
    if tamper == "bps":
        # The chef was shown 2,000 bps as partner and the owner 6,000.
        for entry in entries:
            if entry["account"] == cast.chef.address:
                entry["bps"] += 1_000
            if entry["account"] == cast.owner.address:
                entry["bps"] -= 1_000
    elif tamper == "account":
        for entry in entries:
            if entry["account"] == cast.mes[1].address:
                entry["account"] = cast.mes[2].address
    elif tamper == "dropped":
        entries[:] = [e for e in entries if e["account"] != ZERO_ADDRESS]
    else:
        other["message"]["documentHash"] = keccak(text="another agreement")
    chef = cast.chef
    signatures = cast.sign(emc, 2)
    tampered = _substitute(signatures, chef.address, sign_version(chef, other))
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, tampered),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": emc.parties(2).index(chef.address), "signer": chef.address},
    )


@pytest.mark.parametrize("twice", [0, 1, 2])
def test_activate_version_reverts_when_a_party_signature_is_duplicated(
    cast: Cast, twice: int
) -> None:
    # Right in count (three), but one party twice and another missing.
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    duplicated = sorted([*signatures, signatures[twice]], key=lambda s: int(s.signer, 16))
    duplicated.remove(signatures[(twice + 1) % 3])
    index = next(i for i in (1, 2) if duplicated[i].signer == duplicated[i - 1].signer)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(2, duplicated),
        errors.EmcSignersNotSorted,
        {"index": index},
    )


def test_activate_version_reverts_when_signing_for_the_development_fund(cast: Cast) -> None:
    # The fund's entry names account zero, which holds a share in the version but has no key
    # and no code; a "signature" for it, sorted first, goes as a contract signature of
    # wallet zero, which nothing accepts.
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    for garbage in (b"", bytes(65)):
        fund = PartySignature(ZERO_ADDRESS, garbage)
        _assert_refused(
            cast,
            emc,
            lambda: emc.activate_version(2, [fund, *signatures[1:]]),  # noqa: B023
            errors.EmcInvalidSignature,
            {"versionId": 2, "index": 0, "signer": ZERO_ADDRESS},
        )
    # Packed as ECDSA, zeros recover to nobody.
    _assert_refused(
        cast,
        emc,
        lambda: _activate_raw(cast, emc, 2, bytes(64) + b"\x1b" + _as_ecdsa(signatures[1:])),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": 0, "signer": ZERO_ADDRESS},
    )


# -- the packed layout ----------------------------------------------------------------------


def _contract_part(wallet: int, offset: int) -> bytes:
    """A contract signature's fixed part: ``r`` the wallet, ``s`` its data's offset, ``v`` 0."""
    return wallet.to_bytes(32, "big") + offset.to_bytes(32, "big") + b"\x00"


@pytest.mark.parametrize(
    "flaw",
    [
        "none",
        "wallet high bits",
        "offset short",
        "offset past",
        "offset overflows",
        "length past",
        "length overflows",
        "no data",
    ],
)
def test_activate_version_reverts_when_a_contract_signature_breaks_the_layout(
    cast: Cast, flaw: str
) -> None:
    # ME 1's signature (index 1 of 3) as a contract signature of its own address: laid out
    # right, the EMC asks ME 1's code, which a key has none of; laid out wrong, it refuses
    # the encoding before asking anyone.
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    index = 1
    party, end = signatures[index], 3 * 65
    data = party.signature
    wallet, offset, length = int(party.signer, 16), end, len(data)
    if flaw == "wallet high bits":
        wallet |= 1 << 160
    elif flaw == "offset short":
        offset -= 1
    elif flaw == "offset past":
        offset += 32
    elif flaw == "offset overflows":
        offset = 2**256 - 1
    elif flaw == "length past":
        length += 1
    elif flaw == "length overflows":
        length = 2**256 - 1
    tail = b"" if flaw == "no data" else length.to_bytes(32, "big") + data
    fixed = [s.signature for s in signatures]
    fixed[index] = _contract_part(wallet, offset)
    packed = b"".join(fixed) + tail
    error, args = (
        (errors.EmcInvalidSignature, {"versionId": 2, "index": index, "signer": party.signer})
        if flaw == "none"
        else (errors.EmcSignatureEncoding, {"index": index})
    )
    _assert_refused(cast, emc, lambda: _activate_raw(cast, emc, 2, packed), error, args)


def _version_with_a_wallet(cast: Cast, wallet: ChecksumAddress) -> tuple[EmcClient, int]:
    """Version 3 of the base EMC: version 2's parties and ``wallet`` as a partner."""
    cast.as_(cast.admin).registry.add_member(wallet, Role.PARTNER)
    emc = cast.emc()
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(wallet, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.mes[0].address, ShareClass.OPERATING, 6_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    version_id, _ = emc.propose_version(entries)
    assert wallet in emc.parties(version_id)
    return emc, version_id


def test_activate_version_accepts_a_partys_erc1271_contract_wallet(cast: Cast) -> None:
    key = new_account()  # the key that controls the partner's wallet
    wallet = deploy_one_key_wallet(cast, key.address)
    emc, version_id = _version_with_a_wallet(cast, wallet)
    typed = emc.typed_data(version_id)
    parties = emc.parties(version_id)
    signatures = [sign_version(a, typed) for a in cast.wallets if a.address in parties]
    assert len(signatures) == len(parties) - 1
    by_wallet = PartySignature(wallet, sign_version(key, typed).signature)
    index = parties.index(wallet)

    # Another key's signature in the wallet's name: the wallet refuses it, and is named.
    forged = PartySignature(wallet, sign_version(new_account(), typed).signature)
    _assert_refused(
        cast,
        emc,
        lambda: emc.activate_version(version_id, [*signatures, forged]),
        errors.EmcInvalidSignature,
        {"versionId": version_id, "index": index, "signer": wallet},
    )
    # The key's own ECDSA signature in the wallet's place recovers to the key, no party.
    _strangers_refused(
        cast, emc, version_id, [*signatures, PartySignature(wallet, by_wallet.signature)]
    )

    result = emc.activate_version(version_id, [*signatures, by_wallet])
    assert emc.active_version_id() == version_id
    assert emc.signers(version_id) == emc.parties(version_id)
    # The wallet's fixed part is a contract signature (v 0) pointing at its data.
    tx = cast.w3.eth.get_transaction(result.tx_hash)
    _, args = emc.contract.decode_function_input(tx["input"])
    packed = args["signatures"]
    count = len(emc.parties(version_id))
    assert packed[index * 65 : (index + 1) * 65] == _contract_part(int(wallet, 16), count * 65)
    assert packed[count * 65 :] == (65).to_bytes(32, "big") + by_wallet.signature


def test_activate_version_reverts_when_a_party_was_suspended_after_the_proposal(
    cast: Cast,
) -> None:
    emc = cast.emc()
    signatures = cast.sign(emc, 2)  # signed while every party was active
    cast.as_(cast.admin).registry.suspend(cast.mes[1].address)
    before = _versions_state(emc)
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, signatures),
        errors.EmcPartyNotActive,
        {"versionId": 2, "signer": cast.mes[1].address},
    )
    assert _versions_state(emc) == before


def test_activate_version_succeeds_when_someone_else_was_suspended_and_reinstated(
    cast: Cast,
) -> None:
    emc = cast.emc()
    signatures = cast.sign(emc, 2)
    registry = cast.as_(cast.admin).registry
    registry.suspend(cast.mes[1].address)
    registry.reinstate(cast.mes[1].address)  # the count moved, so every party is re-read
    emc.activate_version(2, signatures)
    assert emc.active_version_id() == 2


# -- what the chain keeps ------------------------------------------------------------------


def _typed_entries(version: dict[str, Any]) -> list[ShareEntry]:
    return [
        ShareEntry(e["account"], ShareClass(e["shareClass"]), e["bps"])
        for e in version["message"]["entries"]
    ]


@pytest.mark.parametrize("version_id", [1, 2])
def test_typed_data_hashes_to_the_contract_digest(cast: Cast, version_id: int) -> None:
    emc = cast.emc()
    typed = emc.typed_data(version_id)
    version = emc.version(version_id)
    assert typed["primaryType"] == "ShareVersion"
    assert typed["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": cast.w3.eth.chain_id,
        "verifyingContract": cast.base_emc,
    }
    assert (
        typed["message"]["versionId"],
        typed["message"]["nonce"],
        typed["message"]["deadline"],
        typed["message"]["documentHash"],
    ) == (version_id, version.nonce, version.deadline, version.document_hash)
    assert _typed_entries(typed) == emc.version_entries(version_id)
    # eth_account's own EIP-712 encoder, through a throwaway key, gives the same digest.
    signed = Account.create().sign_message(encode_typed_data(full_message=typed))
    assert bytes(signed.message_hash) == emc.version_digest(version_id)


def test_versions_keep_signers_entries_and_headers_after_being_superseded(cast: Cast) -> None:
    emc = cast.emc()
    v2_entries = base_entries(cast)
    # Version 3 keeps the members of version 2 (chef, owner, ME 1) and adds two more.
    v3_entries = [
        ShareEntry(cast.partners["platform"].address, ShareClass.PARTNER, 500),
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 5_500),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 500),
        ShareEntry(cast.mes[2].address, ShareClass.OPERATING, 1_000),
        ShareEntry(cast.mes[2].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    proposed = {1: base_entries(cast), 2: v2_entries, 3: v3_entries}
    results = {2: emc.activate_version(2, cast.sign(emc, 2))}
    v3_id, results[3] = cast.agree(cast.base_emc, v3_entries, keccak(text="v3"))
    assert v3_id == 3

    for version_id, result in results.items():
        activated = emc.event(result, VersionActivated)
        assert activated.party_count == len(emc.parties(version_id))
        assert emc.signers(version_id) == emc.parties(version_id)
        assert activated.previous_id == version_id - 1
        # Anyone can re-verify the signatures themselves: they are in the transaction, one
        # 65-byte ECDSA signature per party, in signing order.
        tx = cast.w3.eth.get_transaction(result.tx_hash)
        function, args = emc.contract.decode_function_input(tx["input"])
        # Version 2 was activated apart; cast.agree proposed and activated a signed draft.
        if version_id == 2:
            assert function.fn_name == "activateVersion"
            assert args["versionId"] == version_id
        else:
            assert function.fn_name == "proposeAndActivateVersion"
        packed = args["signatures"]
        assert len(packed) == 65 * activated.party_count
        signable = encode_typed_data(full_message=emc.typed_data(version_id))
        recovered = [
            Account.recover_message(signable, signature=packed[i : i + 65])
            for i in range(0, len(packed), 65)
        ]
        assert recovered == emc.parties(version_id)

    assert emc.parties(3) == sorted(
        [
            cast.partners["platform"].address,
            cast.chef.address,
            cast.owner.address,
            cast.mes[1].address,
            cast.mes[2].address,
        ],
        key=lambda a: int(a, 16),
    )
    statuses = [VersionStatus.SUPERSEDED, VersionStatus.SUPERSEDED, VersionStatus.ACTIVE]
    for version_id, status in zip((1, 2, 3), statuses, strict=True):
        version = emc.version(version_id)
        entries = emc.version_entries(version_id)
        assert version.status is status
        assert (version.epoch, version.nonce) == (version_id - 1, version_id - 1)
        assert version.party_count == len(emc.parties(version_id)) == (5 if version_id == 3 else 3)
        assert version.entry_count == len(entries)
        assert entries == sorted(proposed[version_id], key=lambda e: e.sort_key)
        assert emc.typed_data(version_id)["message"]["versionId"] == version_id
    # Version 1 covered the base period, versions 2 and 3 apply from period 2 on (3 replaced
    # 2 before any period was settled under it).
    assert [emc.version(i).from_period for i in (1, 2, 3)] == [1, 2, 2]
    assert _versions_state(emc) == (3, tuple(statuses), 3)
