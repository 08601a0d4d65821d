"""Property: whatever the registry's members do to one another, an active admin remains and can
reinstate everyone.

Each example registers a second admin (the admin role alone), then sends a random sequence of
up to 20 suspensions, reinstatements, revocations and renunciations, each from a random
wallet (the two admins, an operator, the treasury, an ME, a partner, the chef who is both) at
a random target (those wallets, the factory, the base EMC) and, for revocations and
renunciations, of a random role (admin, operator, treasury, registrar, ME, partner). A plain
model of the rules predicts each outcome:

* suspend: the caller is an active admin or an active operator, not the target; the target is
  active and not a contract; a holder of the operator, treasury, registrar or admin role
  needs an active admin caller;
* reinstate: the same callers and the same admin rule; the target is suspended;
* revoke: the caller holds the role's admin role and is active; no admin revokes its own
  admin role; renounce: any role but the admin role;
* ``restrictions()`` moves by one per suspension and per role actually lost.

The property checks that every call succeeds exactly when the model says, that after every
step some admin is active and ``restrictions()`` equals the model's count, that each
record's role count equals the roles it holds and ``isActive`` (and ``firstInactive``) of
each role what the model says, and that at the end an active admin reinstates every
suspended account. Each example runs between an ``evm_snapshot`` and an
``evm_revert`` on the session's chain; locally 20 examples take about 10 s, with
``CI=true`` 60 about 25 s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdh_chain.exceptions import ContractRevertError
from rdh_chain.types import MemberStatus, Role
from tests.contracts.helpers import Cast, add_admin, raw_transact, revert, snapshot

CI = os.environ.get("CI") == "true"
ADMIN = "admin"
ROLE_IDS = {
    ADMIN: bytes(32),
    "operator": Role.OPERATOR.id,
    "treasury": Role.TREASURY.id,
    "registrar": Role.REGISTRAR.id,
    "me": Role.ME.id,
    "partner": Role.PARTNER.id,
    "contract": Role.CONTRACT.id,
}
ROLE_ADMIN = {
    ADMIN: ADMIN,
    "operator": ADMIN,
    "treasury": ADMIN,
    "registrar": ADMIN,
    "me": "operator",
    "partner": "operator",
}
PRIVILEGED = frozenset({ADMIN, "operator", "treasury", "registrar"})
# The wallets that sign: the admin, a second admin, an operator, the treasury, an ME, a partner
# and the chef (partner and ME). The factory and the base EMC are targets only.
CALLERS = 7
TARGETS = CALLERS + 2
ACTIONS = ("suspend", "reinstate", "revoke", "renounce")


@dataclass(frozen=True)
class Step:
    action: str
    caller: int
    target: int
    role: str


@st.composite
def step_for(draw: st.DrawFn, suspended: list[int]) -> Step:
    """A random step; a reinstatement mostly aims at an account that is suspended."""
    action = draw(st.sampled_from(ACTIONS))
    # Half the calls come from the admins and the operator, who may restrict someone.
    caller = draw(st.one_of(st.integers(0, 2), st.integers(0, CALLERS - 1)))
    targets = st.integers(0, TARGETS - 1)
    if action == "reinstate" and suspended:
        targets = st.one_of(st.sampled_from(suspended), targets)
    return Step(action, caller, draw(targets), draw(st.sampled_from(sorted(ROLE_ADMIN))))


@dataclass
class Model:
    status: dict[ChecksumAddress, MemberStatus]
    roles: dict[ChecksumAddress, set[str]]
    restrictions: int
    lost: int = field(default=0)

    def active(self, account: ChecksumAddress, role: str) -> bool:
        return self.status[account] is MemberStatus.ACTIVE and role in self.roles[account]

    def may_restrict(self, caller: ChecksumAddress, target: ChecksumAddress) -> bool:
        """Whether ``caller`` may suspend or reinstate ``target`` (its status aside)."""
        if self.active(caller, ADMIN):
            return True
        return self.active(caller, "operator") and not self.roles[target] & PRIVILEGED

    def predict(self, step: Step, caller: ChecksumAddress, target: ChecksumAddress) -> bool:
        """Whether ``step`` succeeds; if so, apply it."""
        if step.action == "suspend":
            ok = (
                self.may_restrict(caller, target)
                and caller != target
                and "contract" not in self.roles[target]
                and self.status[target] is MemberStatus.ACTIVE
            )
            if ok:
                self.status[target] = MemberStatus.SUSPENDED
                self.restrictions += 1
            return ok
        if step.action == "reinstate":
            ok = self.may_restrict(caller, target) and self.status[target] is MemberStatus.SUSPENDED
            if ok:
                self.status[target] = MemberStatus.ACTIVE
            return ok
        if step.action == "revoke":
            ok = self.active(caller, ROLE_ADMIN[step.role]) and not (
                step.role == ADMIN and target == caller
            )
        else:  # renounce
            ok, target = step.role != ADMIN, caller
        if ok and step.role in self.roles[target]:
            self.roles[target].discard(step.role)
            self.restrictions += 1
            self.lost += 1
        return ok


@pytest.mark.slow
@settings(
    max_examples=60 if CI else 20,
    deadline=None,
    # The fixtures are session state; each example snapshots and reverts the chain itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_active_admin_remains_and_reinstates_everyone(cast: Cast, data: st.DataObject) -> None:
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        _run(cast, data)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _run(cast: Cast, data: st.DataObject) -> None:
    signers = [
        cast.admin,
        add_admin(cast),
        cast.operator2,
        cast.treasury,
        cast.mes[2],
        cast.partners["platform"],
        cast.chef,
    ]
    accounts = [s.address for s in signers] + [cast.deployment.factory, cast.base_emc]
    registry = cast.ledger.registry
    functions = registry.contract.functions
    model = Model(
        status={a: registry.member(a).status for a in accounts},
        roles={
            a: {name for name, role_id in ROLE_IDS.items() if functions.hasRole(role_id, a).call()}
            for a in accounts
        },
        restrictions=registry.restrictions(),
    )
    for _ in range(data.draw(st.integers(1, 20), label="steps")):
        suspended = [i for i, a in enumerate(accounts) if model.status[a] is MemberStatus.SUSPENDED]
        step = data.draw(step_for(suspended))
        caller, target = signers[step.caller], accounts[step.target]
        expected = model.predict(step, caller.address, target)
        wallet = cast.as_(caller)
        role_id = ROLE_IDS[step.role]
        try:
            if step.action == "suspend":
                wallet.registry.suspend(target)
            elif step.action == "reinstate":
                wallet.registry.reinstate(target)
            elif step.action == "revoke":
                raw_transact(wallet, wallet.registry, "revokeRole", role_id, target)
            else:
                raw_transact(wallet, wallet.registry, "renounceRole", role_id, caller.address)
            succeeded = True
        except ContractRevertError:
            succeeded = False
        assert succeeded == expected, (step, caller.address, target)
        event(f"{step.action} {'succeeded' if succeeded else 'refused'}")
        assert registry.restrictions() == model.restrictions
        admins = [a for a in accounts if functions.hasRole(bytes(32), a).call()]
        assert any(functions.statusOf(a).call() == MemberStatus.ACTIVE for a in admins), step

    for account in accounts:
        assert functions.member(account).call()[2] == len(model.roles[account])
    # The record's mirrored role bits answer isActive (and firstInactive) as the model does.
    for name, role_id in ROLE_IDS.items():
        active = [model.active(a, name) for a in accounts]
        assert [functions.isActive(a, role_id).call() for a in accounts] == active, name
        first = active.index(False) if False in active else len(accounts)
        assert functions.firstInactive(accounts, role_id).call() == first, name
    if model.lost:
        event("some role lost")
    # Recovery: an active admin reinstates every suspended account.
    admin = next(signers[i] for i in (0, 1) if model.active(signers[i].address, ADMIN))
    for account in accounts:
        if model.status[account] is MemberStatus.SUSPENDED:
            cast.as_(admin).registry.reinstate(account)
    assert all(registry.member(a).status is MemberStatus.ACTIVE for a in accounts)
