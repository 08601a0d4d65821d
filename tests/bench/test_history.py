"""The history generator, on a small year: every transaction mined and successful, every
event counted, the EMCs where the year left them."""

from __future__ import annotations

from web3 import Web3
from web3.types import RPCEndpoint

from bench.history import YearConfig, generate
from rdh_chain.toolchain import Artifact

YEAR = YearConfig(emcs=2, parties=6, days=24, versions=2, claim_every=3)


def test_small_year_is_mined_and_counted(w3: Web3, artifacts: dict[str, Artifact]) -> None:
    history = generate(w3, artifacts, YEAR)

    logs = w3.provider.make_request(
        RPCEndpoint("eth_getLogs"),
        [{"fromBlock": hex(history.first_block), "toBlock": hex(history.last_block)}],
    )["result"]
    assert history.events == len(logs)
    assert history.last_block == w3.eth.block_number
    # The batches' receipts hold all but the SDK's setup transactions' logs.
    assert 0 < sum(history.events_by_name.values()) < history.events
    counts = history.transactions_by_function
    assert counts["settle"] + counts["settleAttested"] == YEAR.emcs * YEAR.days
    assert counts["proposeVersion"] == counts["activateVersion"] == YEAR.emcs * YEAR.versions
    assert counts["claim"] > 0
    assert history.events_by_name["PeriodSettled"] == YEAR.emcs * YEAR.days
    for address in history.emcs:
        emc = history.operator.emc(address)
        assert emc.totals().periods == YEAR.days
        assert emc.version_count() == YEAR.versions
        assert emc.active_version_id() == YEAR.versions
    # Automining is back on.
    assert w3.provider.make_request(RPCEndpoint("anvil_getAutomine"), [])["result"] is True
