"""The Smart Cooking demo: a local chain, the contracts, the seeded EMC, the index and the
gateway.

``make run`` calls :func:`run`. Every step checks the chain before it acts, so
running it again resumes the same chain (same addresses, same balances) and seeds
nothing twice; an interrupted seeding picks up where it stopped. The index
(``RDH_INDEX_URL``, else ``index.sqlite`` in the data folder) is brought up to the
chain's head, then ``rdh index follow`` keeps it there beside the gateway, each in
a process of its own; Ctrl-C stops both.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from sqlalchemy.engine import make_url

from rdh_chain.artifacts import load_artifacts
from rdh_chain.chain.anvil import AnvilConfig, AnvilNode, port_in_use
from rdh_chain.chain.connect import connect
from rdh_chain.config import RunRecord, Settings
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.exceptions import ChainError, ConfigError, DeploymentError
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.names import refresh_names
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import Profile, ProfileKind, ProfileStore
from rdh_chain.tx import TxSender
from rdh_chain.types import (
    ZERO_ADDRESS,
    Criteria,
    Formula,
    PeriodReport,
    Role,
    ShareClass,
    ShareEntry,
    Strategy,
)
from rdh_chain.validation import format_amount
from rdh_chain.wallet import KeystoreDir

log = logging.getLogger("rdh.demo")

YUAN = 100  # fen per RMB

# The four partners of DOMAIN.md at 2-6% of profit each.
PARTNERS: dict[str, int] = {"platform": 200, "chef": 600, "food-processor": 400, "duck-farm": 300}
# Eleven invited MEs: (wallet, operating bps, value-added bps). The first leads the EMC.
# Month 1 weighs the value-added pool (6% = 600 bps) towards R&D.
MES: list[tuple[str, int, int]] = [
    ("me-smart-cooking", 1500, 70),
    ("me-rnd-recipes", 550, 100),
    ("me-rnd-ovens", 550, 90),
    ("me-supply", 550, 50),
    ("me-manufacturing", 550, 50),
    ("me-marketing", 550, 40),
    ("me-sales-online", 550, 40),
    ("me-sales-stores", 550, 40),
    ("me-logistics", 550, 40),
    ("me-service", 550, 40),
    ("me-it", 550, 40),
]
DEV_FUND_BPS = 900  # 9% of profit
# The template stewards' "explore" guideline: the four criteria weigh alike; a perfect
# scenario would be asked for 25,000 users and 12.5M RMB, with a sharing space of 6% of
# the revenue target, partners at 2-6% of profit, and dissolution once losses reach 10% of
# the revenue target. Notice runs for at most a year of monthly periods; an auditor attests
# the reports that draw on the members' capital (losses), not every report.
EXPLORE = Formula(
    weights_bps=(2_500, 2_500, 2_500, 2_500),
    users_at_full_score=25_000,
    revenue_at_full_score=12_500_000 * YUAN,
    sharing_space_bps=600,
    partner_min_bps=200,
    partner_max_bps=600,
    loss_threshold_bps=1_000,
    min_score=500_000,
    max_notice_periods=12,
    attest_all_reports=False,
)
# The platform's scores of Smart Cooking (score 80/100), which give the target of the source:
# 20,000 users, 10M RMB ecosystem revenue and a 600,000 RMB sharing space.
SMART_COOKING = Criteria(
    market_capacity=100, consumption_habits=80, industry_scale=60, team_integration=80
)
EMC_METADATA = keccak(text="Smart Cooking EMC, registered 2020-08-01")
# Who the demo's wallets are, with the sources' names where they give one (Zhang Yu's
# Smart Cooking ME, Chef Zhang Weili, Huifa Group, the Haier Smart Home platform);
# the sources name Hangzhou Refrigeration Group among the other nodes without its
# place, so no demo ME is given its name. Each member's registry metadata is the hash
# of its profile.
_ME, _PARTNER = ProfileKind.ME, ProfileKind.PARTNER
PROFILES: dict[str, Profile] = {
    "admin": Profile(
        "Haier EMC platform", ProfileKind.OPERATOR, "Registers EMCs and their members."
    ),
    "treasury": Profile("Haier treasury", ProfileKind.TREASURY, "Mints settlement credit."),
    "auditor": Profile("Haier internal audit", ProfileKind.AUDITOR),
    "steward": Profile(
        "Target guidelines ME", ProfileKind.STEWARD, "Owns the EMC templates and targets."
    ),
    "me-smart-cooking": Profile(
        "Smart Cooking ME (Zhang Yu)", _ME, "EMC owner; registered Smart Cooking on 2020-08-01."
    ),
    "me-rnd-recipes": Profile("Recipe R&D ME", _ME),
    "me-rnd-ovens": Profile("Oven R&D ME", _ME),
    "me-supply": Profile("Supply chain ME", _ME),
    "me-manufacturing": Profile("Manufacturing ME", _ME, "Makes the smart ovens."),
    "me-marketing": Profile("Marketing ME", _ME),
    "me-sales-online": Profile("Online sales ME", _ME, "Haier Smart Home App."),
    "me-sales-stores": Profile("Store sales ME", _ME, "Samples to over 3,000 Haier stores."),
    "me-logistics": Profile("Logistics ME", _ME),
    "me-service": Profile("User service ME", _ME),
    "me-it": Profile("IT ME", _ME),
    "platform": Profile("Haier Smart Home Platform", ProfileKind.PLATFORM),
    "chef": Profile("Chef Zhang Weili", _PARTNER, "Roast duck recipes."),
    "food-processor": Profile("Huifa Group", _PARTNER, "Food processing."),
    "duck-farm": Profile("The duck farm", _PARTNER, "Supplies the ducks."),
}
# August 2020: 20,000 ducks sold for 4M RMB of ecosystem revenue. The profit is chosen
# so that the chef's 6% is the 57,906 RMB the source reports.
MONTH_1 = PeriodReport(
    users=20_000,
    units=20_000,
    revenue=4_000_000 * YUAN,
    cost=3_034_900 * YUAN,
    profit=965_100 * YUAN,
    document_hash=keccak(text="Smart Cooking statement 2020-08"),
)


@dataclass(frozen=True)
class DemoCast:
    """The demo's wallets by role."""

    admin: LocalAccount
    treasury: LocalAccount
    auditor: LocalAccount
    steward: LocalAccount
    mes: dict[str, LocalAccount]
    partners: dict[str, LocalAccount]

    @property
    def owner(self) -> LocalAccount:
        return self.mes[MES[0][0]]

    def wallets(self) -> dict[str, LocalAccount]:
        """Every wallet by its name (the keys of :data:`PROFILES`)."""
        return {
            "admin": self.admin,
            "treasury": self.treasury,
            "auditor": self.auditor,
            "steward": self.steward,
            **self.mes,
            **self.partners,
        }

    @classmethod
    def load(cls, keystores: KeystoreDir) -> DemoCast:
        def wallet(name: str) -> LocalAccount:
            return keystores.load_or_create(name).account

        return cls(
            admin=wallet("admin"),
            treasury=wallet("treasury"),
            auditor=wallet("auditor"),
            steward=wallet("steward"),
            mes={name: wallet(name) for name, _, _ in MES},
            partners={name: wallet(name) for name in PARTNERS},
        )


def ensure_deployment(settings: Settings, ledger_admin: LocalAccount) -> Deployment:
    """The recorded deployment if the chain still has it; a fresh one otherwise."""
    w3 = connect(settings.rpc_url)
    try:
        deployment = Deployment.load(settings.deployment_file)
        deployment.check(w3)
        log.info("contracts already deployed: registry %s", deployment.registry)
        return deployment
    except DeploymentError as exc:
        log.info("deploying the contracts (%s)", exc)
    artifacts = load_artifacts()
    sender = TxSender(w3, ledger_admin, Ledger.decoder_for(artifacts))
    deployment = deploy(sender, artifacts, admin_metadata=PROFILES["admin"].hash)
    deployment.save(settings.deployment_file)
    return deployment


def seed(ledger: Ledger, cast: DemoCast, profiles: ProfileStore | None = None) -> ChecksumAddress:
    """Seed the Smart Cooking EMC step by step; each step is skipped if already on chain.

    Every member's metadata is its profile's hash (set again if an older seeding left
    another); with ``profiles``, the documents are written there.
    """
    admin = ledger.connect(cast.admin)
    wallets = cast.wallets()
    if profiles is not None:
        for name, account in wallets.items():
            profiles.put(PROFILES[name], account.address)
    members: list[tuple[str, Role]] = [
        ("treasury", Role.TREASURY),
        ("auditor", Role.AUDITOR),
        ("steward", Role.STEWARD),
        *((name, Role.ME) for name in cast.mes),
        *((name, Role.PARTNER) for name in cast.partners),
    ]
    for name, role in members:
        address = wallets[name].address
        if not ledger.registry.has_role(address, role):
            admin.registry.add_member(address, role, PROFILES[name].hash)
    for name, account in wallets.items():
        if ledger.registry.member(account.address).metadata != PROFILES[name].hash:
            admin.registry.set_metadata(account.address, PROFILES[name].hash)

    if ledger.guidelines.formula_count(Strategy.EXPLORE) == 0:
        steward = ledger.connect(cast.steward)
        steward.guidelines.publish_formula(
            Strategy.EXPLORE, EXPLORE, keccak(text="explore guideline 2020")
        )
    if ledger.factory.emc_count() == 0:
        admin.factory.create_emc(cast.owner.address, Strategy.EXPLORE, SMART_COOKING, EMC_METADATA)
    emc_address = ledger.factory.emc_at(0)
    owner = ledger.connect(cast.owner)
    emc = owner.emc(emc_address)

    if emc.active_version_id() == 0:
        entries = [
            ShareEntry(cast.partners[name].address, ShareClass.PARTNER, bps)
            for name, bps in PARTNERS.items()
        ]
        for name, operating, value_added in MES:
            address = cast.mes[name].address
            entries.append(ShareEntry(address, ShareClass.OPERATING, operating))
            entries.append(ShareEntry(address, ShareClass.VALUE_ADDED, value_added))
        entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, DEV_FUND_BPS))
        # Every named party signs the agreement from its own wallet (all held here).
        owner.agree(
            emc,
            entries,
            [*cast.mes.values(), *cast.partners.values()],
            keccak(text="Smart Cooking agreement v1 (R&D weighted)"),
        )

    if emc.totals().periods == 0:
        treasury = ledger.connect(cast.treasury)
        if ledger.token.balance_of(cast.owner.address) < MONTH_1.profit:
            treasury.token.mint(
                cast.owner.address, MONTH_1.profit, keccak(text="fiat deposit 2020-08")
            )
        owner.settle(emc, MONTH_1)

    chef = ledger.connect(cast.partners["chef"]).emc(emc_address)
    if chef.position(cast.partners["chef"].address).paid == 0:
        chef.claim()
    return emc_address


def run(
    settings: Settings | None = None, *, serve: Callable[[Settings], None] | None = None
) -> None:
    """Start (or resume) the chain, deploy and seed if needed, then serve the gateway."""
    settings = settings or Settings()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the index's migrations
    if serve is None and port_in_use(settings.api_host, settings.api_port):
        raise ConfigError(
            f"Port {settings.api_port} on {settings.api_host} is already in use; stop what "
            "listens there or choose another port with RDH_API_PORT."
        )
    node = AnvilNode.from_pidfile(settings.anvil_dir)
    started_here = node is None
    if node is None:
        config = AnvilConfig.persisted(
            settings.anvil_dir, port=settings.anvil_port, chain_id=settings.chain_id
        )
        node = AnvilNode(config, settings.anvil_dir)
        node.start()
        log.info("local chain started at %s (state in %s)", node.rpc_url, settings.anvil_dir)
    else:
        log.info("using the local chain already running at %s", node.rpc_url)
    # The CLI in another shell finds this chain and gateway through the data folder.
    record = record_run(settings)
    try:
        cast = DemoCast.load(settings.keystores)
        deployment = ensure_deployment(settings, cast.admin)
        ledger = Ledger(connect(settings.rpc_url), deployment, load_artifacts())
        emc_address = seed(ledger, cast, ProfileStore.in_data_dir(settings.data_dir))
        checkpoint = sync_index(settings, deployment)
        _print_welcome(settings, ledger, cast, emc_address, checkpoint)
        (serve or _serve)(settings)
    finally:
        RunRecord.remove(settings.data_dir, record.pid)
        if started_here:
            if not node.stop():
                raise ChainError("anvil had to be killed; its state file may miss the last blocks.")
            log.info("local chain stopped; its state is saved in %s", settings.anvil_dir)


def record_run(settings: Settings) -> RunRecord:
    """Write what this run starts (:class:`RunRecord`) into the data folder."""
    record = RunRecord(
        pid=os.getpid(),
        rpc_url=settings.rpc_url,
        chain_id=settings.chain_id,
        api_host=settings.api_host,
        api_port=settings.api_port,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    record.save(settings.data_dir)
    return record


def index_settings(settings: Settings) -> IndexSettings:
    """The index of ``settings``' data folder (``RDH_INDEX_URL`` if set)."""
    return IndexSettings(data_dir=settings.data_dir)


def index_location(settings: Settings) -> str:
    """Where the index lives, for people (a file's path, or the URL without its password)."""
    url = index_settings(settings).database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def sync_index(settings: Settings, deployment: Deployment) -> int:
    """Bring the index up to the chain's head (creating or migrating it) and name its
    members from the profiles, as ``rdh index sync`` does; its checkpoint."""
    index = index_settings(settings)
    db = IndexDb.open(index.database_url)
    try:
        indexer = Indexer(
            db, connect(settings.rpc_url).provider, deployment, queries.default_decoder(), index
        )
        result = indexer.sync()
        with db.transaction() as session:
            refresh_names(session, index.profile_store)
    finally:
        db.close()
    log.info("index at block %d: %s", result.checkpoint, index_location(settings))
    return result.checkpoint


def _child_env(settings: Settings) -> dict[str, str]:
    """The environment of the gateway and the indexer: ``settings`` as ``RDH_*`` variables,
    the way a deployment configures them."""
    return os.environ | {
        f"RDH_{name.upper()}": str(value) for name, value in settings.model_dump().items()
    }


def gateway_command(settings: Settings) -> list[str]:
    """The gateway (``api``, a layer above the SDK) as a process of its own."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--host",
        settings.api_host,
        "--port",
        str(settings.api_port),
        "--workers",
        str(settings.api_workers),
        "--log-level",
        "warning",
        "--no-access-log",
        # The app has no startup work; a lifespan task only logs noise on Ctrl-C.
        "--lifespan",
        "off",
    ]


def indexer_command() -> list[str]:
    """``rdh index follow`` as a process of its own (settings from the environment)."""
    return [
        sys.executable,
        "-c",
        "from rdh_chain.cli.main import app; app(prog_name='rdh')",
        "index",
        "follow",
    ]


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    reported: bool = False


def _serve(settings: Settings) -> None:
    """Run the indexer (following the chain) and the gateway until Ctrl-C, then stop both."""
    env = _child_env(settings)
    serve_processes([("indexer", indexer_command()), ("gateway", gateway_command(settings))], env)


def serve_processes(
    commands: Sequence[tuple[str, list[str]]],
    env: dict[str, str],
    *,
    poll: float = 0.2,
    stop_timeout: float = 30,
) -> None:
    """Start ``commands`` (name, argv) and wait; on Ctrl-C stop them all, in reverse order.

    The last one is the one served (the gateway): when it exits by itself, the others are
    stopped too, and a failure (a status other than a stop's) is raised. One of the others
    ending is reported, not fatal (the gateway keeps answering; ``/health`` shows the index
    falling behind).
    """
    children: list[_Child] = []
    try:
        for name, command in commands:
            children.append(_Child(name, subprocess.Popen(command, env=env)))
        served = children[-1]
        while served.process.poll() is None:
            for child in children[:-1]:
                if not child.reported and child.process.poll() is not None:
                    _report(child)
            time.sleep(poll)
        # The gateway stopped by itself (a signal sent to it alone) or failed.
        code = served.process.returncode
        if code in _STOPPED:
            _report(served)
        served.reported = True
        _stop(children[:-1], stop_timeout)
        if code not in _STOPPED:
            raise ConfigError(
                f"The {served.name} exited with status {code}; its messages are above."
            )
    except KeyboardInterrupt:
        # A Ctrl-C at the terminal reached the children too; a signal sent to this
        # process alone did not: stop them either way.
        _stop(children, stop_timeout)


def _stop(children: Sequence[_Child], timeout: float) -> None:
    for child in reversed(children):
        process = child.process
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            child.reported = True
            log.warning("%s killed after %.0f s", child.name, timeout)
            continue
        if not child.reported:
            _report(child)


# Exit statuses of a process that was asked to stop: 0 (it handled the signal), or killed
# by SIGINT or SIGTERM.
_STOPPED = (0, -2, -15)


def _report(child: _Child) -> None:
    """Log that ``child`` ended: "stopped", or its status when that was a failure."""
    child.reported = True
    code = child.process.returncode
    if code in _STOPPED:
        log.info("%s stopped", child.name)
    else:
        log.warning("the %s exited with status %s; its messages are above", child.name, code)


def _print_welcome(
    settings: Settings,
    ledger: Ledger,
    cast: DemoCast,
    emc_address: ChecksumAddress,
    checkpoint: int,
) -> None:
    emc = ledger.emc(emc_address)
    totals = emc.totals()
    chef = cast.partners["chef"].address
    base = f"http://{settings.api_host}:{settings.api_port}"
    lines = [
        "",
        "rdh-chain is running: the Smart Cooking EMC on a local chain.",
        f"  chain        {settings.rpc_url} (chain id {ledger.deployment.chain_id})",
        f"  registry     {ledger.deployment.registry}",
        f"  EMC          {emc_address}",
        f"  settled      {totals.periods} period(s), profit {format_amount(totals.profit)} RMB",
        f"  chef         {PROFILES['chef'].name} ({chef}) was paid "
        f"{format_amount(emc.position(chef).paid)} RMB",
        f"  auditor      {cast.auditor.address} (attests reports: "
        "`rdh report sign FILE --wallet auditor`)",
        f"  index        {index_location(settings)} (at block {checkpoint}; "
        "`rdh index follow` keeps it at the head)",
        "",
        f"  web page     {base}/",
        f"  API docs     {base}/docs",
        f"  history      {base}/emcs/{emc_address}/history",
        f"  health       {base}/health (the index's lag)",
        f"  wallets      {settings.keystores.folder} (password in .password)",
        f"  recorded in  {settings.run_file} (the CLI in another shell uses this chain)",
        f"  try          .venv/bin/rdh share {cast.partners['duck-farm'].address}",
        f"               .venv/bin/rdh audit history {emc_address}",
        "",
        "Press Ctrl-C to stop; `make run` again resumes the same chain.",
    ]
    print("\n".join(lines), flush=True)
