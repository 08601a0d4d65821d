// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCBidding} from "../../../contracts/interfaces/IEMCBidding.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../../../contracts/interfaces/ISettlementToken.sol";
import {BidRound} from "../../../contracts/types/Bids.sol";
import {CapitalAccount, CapitalTotals, Departure} from "../../../contracts/types/Capital.sol";
import {
    EmcStatus,
    EmcTerms,
    PartySignature,
    PeriodReport,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus
} from "../../../contracts/types/Shares.sol";
import {InvariantTest} from "../utils/Test.sol";
import {console} from "../utils/Vm.sol";
import {EMCGhost} from "./EMCGhost.sol";
import {EMCHandler} from "./EMCHandler.sol";

/// @notice The checks the invariant suites are made of, each a money or lifecycle rule
/// stated on the EMC's views and compared with the handler's ghost books.
abstract contract EMCInvariantBase is InvariantTest {
    uint256 internal constant BPS = 10_000;
    address internal constant DEV_FUND = address(0);

    EMCHandler internal handler;
    IEMC internal emc;
    ISettlementToken internal token;
    IMemberRegistry internal registry;
    EmcTerms internal terms;
    address[] internal accounts; // the fund (0) and every member

    function setUp() public virtual {
        handler = new EMCHandler();
        emc = handler.emc();
        token = ISettlementToken(address(handler.token()));
        registry = IMemberRegistry(address(handler.registry()));
        terms = emc.terms();
        accounts.push(DEV_FUND);
        address[] memory m = handler.members();
        for (uint256 i; i < m.length; ++i) {
            accounts.push(m[i]);
        }
        targetContract(address(handler));
        targetSelector(FuzzSelector(address(handler), handler.entryPoints()));
    }

    /// @dev Invariants run at the handler's clock, like the calls before them.
    modifier atHandlerTime() {
        vm.warp(handler.now_());
        _;
    }

    // ================================================================== one read

    /// @notice The EMC's views and the handler's books, read once per check of all rules.
    struct State {
        EMCGhost.Book book;
        EMCGhost.AccountBook[] books; // per `accounts`
        IEMC.AccountView[] views; // per `accounts`
        IEMC.Totals totals;
        CapitalTotals capital;
        EmcStatus status;
        uint256 balance;
    }

    function _read() internal view returns (State memory s) {
        s.book = handler.book();
        s.books = handler.accountBooks(accounts);
        uint256 n = accounts.length;
        s.views = new IEMC.AccountView[](n);
        for (uint256 i; i < n; ++i) {
            s.views[i] = emc.accountOf(accounts[i]);
        }
        s.totals = emc.totals();
        s.capital = emc.capitalTotals();
        s.status = emc.status();
        s.balance = token.balanceOf(address(emc));
    }

    // ================================================================== money

    /// @notice paid + claimable + locked + dust + capital + loss cover + capital returned +
    /// unowned credit == everything that entered the EMC, exactly, counted in 1/10,000 fen.
    /// @dev Each account's dust is a fraction of a fen (1/10,000 units) the EMC keeps until it
    /// adds up: under one fen payable and under one fen locked per account. Summed over the
    /// accounts it is a whole number of fen, except after a forfeiture, when the part of the
    /// voided pool that no whole fen could carry (`unreleasedPoolDust`, under one fen)
    /// completes it. "Unowned" is stray credit sent straight to the EMC and not swept
    /// (REWRITE: `sweep` moves it to the fund, whose entitlement then includes it).
    function _checkConservation(State memory s) internal pure {
        uint256 booked;
        uint256 dust;
        uint256 unpaid;
        uint256 paid;
        for (uint256 i; i < s.views.length; ++i) {
            IEMC.AccountView memory v = s.views[i];
            booked += BPS * (v.paid + v.claimable + v.locked) + v.dust;
            unpaid += v.claimable + v.locked;
            paid += v.paid;
            dust += v.dust;
        }
        EMCGhost.Book memory b = s.book;
        CapitalTotals memory c = s.capital;
        uint256 entered = b.deposited + b.invested + b.stray;
        uint256 unowned = b.stray - b.swept;
        assertEq(
            booked + BPS * (c.capital + c.lossesCovered + c.returned) + b.unreleasedPoolDust + BPS * unowned,
            BPS * entered,
            "conservation: paid + claimable + locked + dust + capital + loss cover + returned + unowned != entered (1/10,000 fen)"
        );
        assertEq((dust + b.unreleasedPoolDust) % BPS, 0, "rounding: the dust is not a whole number of fen");
        assertLe(dust, 2 * (BPS - 1) * s.views.length, "rounding: more than two fen of dust per account");

        uint256 left = b.claimed + b.withdrawn + b.lossCovered + b.capitalReturned;
        assertEq(s.balance, entered - left, "balance: the EMC holds other than entered - left");
        assertEq(
            BPS * s.balance,
            BPS * (unpaid + c.capital + unowned) + dust + b.unreleasedPoolDust,
            "balance: the EMC holds other than what it owes + unowned credit"
        );
        assertEq(paid, b.claimed + b.withdrawn, "paid: accounts' paid != claims + withdrawals");
    }

    /// @notice No account is credited, let alone paid, more than its basis points of the
    /// profit settled while it held them (value-added credit only while the pool is not
    /// forfeited; the fund also gets a pool released to it). Exact: the EMC books, to the
    /// 1/10,000 fen, exactly that entitlement.
    function _checkEntitlements(State memory s) internal view {
        bool settledLocked = s.book.targetReached || s.book.forfeited;
        for (uint256 i; i < s.views.length; ++i) {
            IEMC.AccountView memory v = s.views[i];
            uint256 entitlement = s.books[i].entitlement;
            uint256 owed = BPS * (v.paid + v.claimable + v.locked);
            if (v.paid != s.books[i].paid) _fail("paid: EMC != handler", i, v.paid, s.books[i].paid);
            if (BPS * v.paid > entitlement) {
                _fail("entitlement: paid more than bps x profit held", i, BPS * v.paid, entitlement);
            }
            if (owed > entitlement) _fail("entitlement: owed more than earned", i, owed, entitlement);
            if (owed + v.dust != entitlement) {
                _fail("accrual: booked != earned (1/10,000 fen)", i, owed + v.dust, entitlement);
            }
            if (settledLocked && v.locked != 0) {
                _fail("accrual: locked credit after target or forfeiture", i, v.locked, 0);
            }
        }
    }

    /// @notice The running totals and the capital agree with the ghost books; capital units add
    /// up and no capital is left without units to claim it.
    function _checkTotalsAndCapital(State memory s) internal pure {
        EMCGhost.Book memory b = s.book;
        IEMC.Totals memory t = s.totals;
        assertEq(t.periods, b.periods, "totals: periods");
        assertEq(t.users, b.users, "totals: users");
        assertEq(t.revenue, b.revenue, "totals: revenue");
        assertEq(t.profit, b.deposited, "totals: profit");
        assertEq(t.paid, b.claimed + b.withdrawn, "totals: paid");
        assertEq(t.devFundWithdrawn, b.withdrawn, "totals: fund withdrawn");
        assertEq(t.targetReached, b.targetReached, "totals: target reached");
        assertEq(uint256(s.status), uint256(b.dissolved ? EmcStatus.Dissolved : EmcStatus.Active), "status");

        CapitalTotals memory c = s.capital;
        assertEq(c.capital, b.capital, "capital: capital");
        assertEq(c.totalUnits, b.totalUnits, "capital: total units");
        assertEq(c.era, b.era, "capital: era");
        assertEq(c.invested, b.invested, "capital: invested");
        assertEq(c.losses, b.losses, "capital: losses");
        assertEq(c.lossesCovered, b.lossCovered, "capital: losses covered");
        assertEq(c.returned, b.capitalReturned, "capital: returned");
        assertEq(c.poolReleased, b.released, "capital: pool released");
        assertEq(c.capital == 0, c.totalUnits == 0, "capital: capital without units, or units without capital");
    }

    /// @notice Each holding and notice is the handler's; the holdings' units add up to the
    /// total and are worth the capital, less under a fen per holder of rounding.
    function _checkHoldingsAndNotices() internal view {
        EMCGhost.AccountBook[] memory books = handler.accountBooks(accounts);
        CapitalTotals memory c = emc.capitalTotals();
        uint256 units;
        uint256 value;
        for (uint256 i = 1; i < accounts.length; ++i) {
            (CapitalAccount memory held, uint256 worth) = emc.capitalOf(accounts[i]);
            if (held.units != books[i].units) _fail("capital: units", i, held.units, books[i].units);
            units += held.units;
            value += worth;
            Departure memory d = emc.departureOf(accounts[i]);
            if ((d.noticedAt != 0) != books[i].noticed) {
                _fail("notice: given", i, d.noticedAt, books[i].noticed ? 1 : 0);
            }
            if (d.effectivePeriod != books[i].noticeEffective) {
                _fail("notice: period", i, d.effectivePeriod, books[i].noticeEffective);
            }
        }
        assertEq(units, c.totalUnits, "capital: holdings' units != total units");
        assertLe(value, c.capital, "capital: holdings worth more than the capital");
        assertLe(c.capital, value + accounts.length, "capital: holdings worth less than capital - holders");
    }

    // ================================================================== versions

    /// @notice The active version's entries sum to 10,000 bps, in canonical order, partners
    /// within the terms' bounds, the fund at account 0, its pool figure their value-added
    /// sum, and they are the entries its parties signed. (Each proposal is checked the same
    /// way by the handler when it is made: `EMCHandler._checkProposed`.)
    function _checkActiveVersion(State memory s) internal view {
        uint256 active = emc.activeVersionId();
        assertEq(active, s.book.activeVersion, "versions: active id");
        if (active == 0) return;
        ShareEntry[] memory entries = emc.versionEntries(active);
        Version memory v = emc.version(active);
        assertEq(uint256(v.status), uint256(VersionStatus.Active), "versions: active status");
        assertTrue(
            keccak256(abi.encode(entries)) == s.book.activeEntriesHash, "versions: active entries are not those signed"
        );
        checkEntries(entries, v.valueAddedBps, terms);
    }

    /// @notice The rules every version's entries keep.
    function checkEntries(ShareEntry[] memory entries, uint256 valueAddedBps, EmcTerms memory t) public pure {
        uint256 total;
        uint256 valueAdded;
        for (uint256 i; i < entries.length; ++i) {
            ShareEntry memory e = entries[i];
            total += e.bps;
            if (e.class == ShareClass.ValueAdded) valueAdded += e.bps;
            assertEq(e.class == ShareClass.DevFund, e.account == DEV_FUND, "versions: fund entry not at account 0");
            if (e.class == ShareClass.Partner) {
                assertTrue(e.bps >= t.partnerMinBps && e.bps <= t.partnerMaxBps, "versions: partner out of bounds");
            }
            if (i != 0) {
                ShareEntry memory p = entries[i - 1];
                assertTrue(
                    p.account < e.account || (p.account == e.account && p.class < e.class),
                    "versions: entries out of order"
                );
            }
        }
        assertEq(total, BPS, "versions: entries do not sum to 10,000 bps");
        assertEq(valueAddedBps, valueAdded, "versions: value-added bps != sum of value-added entries");
    }

    /// @notice Bid rounds as the handler drove them (the latest: earlier ones are checked
    /// while they are the latest, and nothing changes a round once a later one is open but
    /// the calls that name it, which the handler checks).
    function _checkBidRounds() internal view {
        IEMCBidding bidding = IEMCBidding(address(emc));
        uint256 rounds = handler.roundCount();
        assertEq(bidding.lastBidRound(), rounds, "bids: round count");
        for (uint256 id = rounds; id != 0 && id == rounds; --id) {
            BidRound memory r = bidding.bidRound(id);
            (uint256 bidders, uint256 revealed, uint256 invited, bool decided) = handler.round(id);
            assertEq(r.bidderCount, bidders, "bids: bidders");
            assertEq(r.revealedCount, revealed, "bids: revealed");
            assertEq(r.invitedCount, invited, "bids: invited");
            assertEq(r.decidedAt != 0, decided, "bids: decided");
        }
    }

    // ================================================================== lifecycle

    /// @notice A dissolved EMC accepts nothing new: with the registry recovered (so that every
    /// caller is entitled), every entry point that starts something is refused with
    /// `EmcWrongStatus(Dissolved, Active)`.
    function _checkDissolvedAcceptsNothingNew() internal atHandlerTime {
        if (emc.status() != EmcStatus.Dissolved) return;
        uint256 snapshot = vm.snapshotState();
        _recoverRegistry();
        address owner = handler.owner();
        address member = _firstMemberOtherThan(owner);
        bytes memory refused =
            abi.encodeWithSelector(IEMCErrors.EmcWrongStatus.selector, EmcStatus.Dissolved, EmcStatus.Active);

        ShareEntry[] memory entries = new ShareEntry[](1);
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, uint16(BPS));
        _refused(
            owner,
            abi.encodeCall(IEMC.proposeVersion, (entries, bytes32("new"), uint48(block.timestamp + 1 days))),
            refused,
            "proposeVersion"
        );
        _refused(
            member,
            abi.encodeCall(IEMC.activateVersion, (emc.versionCount(), new PartySignature[](0))),
            refused,
            "activateVersion"
        );

        PeriodReport memory profit = PeriodReport(1, 1, 1_000, 0, 1_000, bytes32("p"));
        _fund(owner, 10_000);
        _refused(owner, abi.encodeCall(IEMC.settle, (profit)), refused, "settle (profit)");
        PeriodReport memory loss = PeriodReport(1, 1, 0, 1_000, 0, bytes32("l"));
        _refused(owner, abi.encodeCall(IEMC.settle, (loss)), refused, "settle (loss)");
        _fund(member, 10_000);
        _refused(member, abi.encodeCall(IEMC.invest, (10_000)), refused, "invest");
        _refused(owner, abi.encodeCall(IEMC.terminate, (member, 1, bytes32("t"))), refused, "terminate");
        _refused(member, abi.encodeCall(IEMC.resign, (1, bytes32("r"))), refused, "resign");

        uint48 t = uint48(block.timestamp);
        _refused(
            owner,
            abi.encodeCall(IEMCBidding.openBidRound, (t + 1 hours, t + 2 hours, bytes32("d"))),
            refused,
            "openBidRound"
        );
        _refused(member, abi.encodeCall(IEMCBidding.commitBid, (1, bytes32("c"))), refused, "commitBid");
        _refused(
            member, abi.encodeCall(IEMCBidding.revealBid, (1, 0, 0, 0, bytes32(0), bytes32(0))), refused, "revealBid"
        );
        _refused(owner, abi.encodeCall(IEMCBidding.inviteBids, (1, new address[](0))), refused, "inviteBids");
        vm.revertToStateAndDelete(snapshot);
    }

    /// @notice Liveness with recovery: after any sequence, the admin can recover the registry
    /// (reinstate the suspended, give back revoked roles) and then the owner can propose a
    /// version (the active one less departed members, their bps to the fund) that every
    /// party signs and anyone activates.
    function _checkRecoverable() internal atHandlerTime {
        if (emc.status() != EmcStatus.Active) return;
        uint256 snapshot = vm.snapshotState();
        _recoverRegistry();
        _agreeContinuation(false, "liveness after registry recovery");
        vm.revertToStateAndDelete(snapshot);
    }

    // ================================================================== probes

    /// @dev The admin reinstates every suspended member and gives back every revoked role.
    function _recoverRegistry() internal {
        address admin = handler.admin();
        for (uint256 i = 1; i < accounts.length; ++i) {
            address m = accounts[i];
            if (registry.statusOf(m) == IMemberRegistry.MemberStatus.Suspended) {
                vm.prank(admin);
                (bool ok, bytes memory ret) =
                    address(registry).call(abi.encodeCall(IMemberRegistry.reinstateMember, (m, bytes32("recover"))));
                assertTrue(ok, string.concat("registry recovery: reinstating failed: ", vm.toString(ret)));
            }
            bytes32 role = handler.roleOf(m);
            if (!handler.registry().hasRole(role, m)) {
                vm.prank(admin);
                (bool ok, bytes memory ret) =
                    address(registry).call(abi.encodeCall(IMemberRegistry.addMember, (m, role, bytes32("recover"))));
                assertTrue(ok, string.concat("registry recovery: restoring a role failed: ", vm.toString(ret)));
            }
        }
    }

    /// @dev The owner proposes the active version less the members that must or (with
    /// `leaveOutRestricted`) may go, their bps to the fund; every remaining party signs; the
    /// version must activate.
    function _agreeContinuation(bool leaveOutRestricted, string memory rule) internal {
        (ShareEntry[] memory entries, address[] memory parties) = _continuation(leaveOutRestricted);
        address owner = handler.owner();
        vm.prank(owner);
        (bool ok, bytes memory ret) = address(emc)
            .call(abi.encodeCall(IEMC.proposeVersion, (entries, bytes32("liveness"), uint48(block.timestamp + 1 days))));
        assertTrue(ok, string.concat(rule, ": the owner cannot propose a version: ", _describe(ret)));
        uint256 id = abi.decode(ret, (uint256));
        bytes32 digest = emc.versionDigest(id);
        PartySignature[] memory signatures = new PartySignature[](parties.length);
        for (uint256 i; i < parties.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(handler.keyOf(parties[i]), digest);
            signatures[i] = PartySignature(parties[i], abi.encodePacked(r, s, v));
        }
        (ok, ret) = address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, signatures)));
        assertTrue(ok, string.concat(rule, ": the parties cannot activate the version: ", _describe(ret)));
        assertEq(emc.activeVersionId(), id, string.concat(rule, ": not active"));
    }

    function _continuation(bool leaveOutRestricted)
        internal
        view
        returns (ShareEntry[] memory entries, address[] memory parties)
    {
        uint256 active = emc.activeVersionId();
        if (active == 0) {
            entries = new ShareEntry[](2);
            entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 1_000);
            entries[1] = ShareEntry(handler.owner(), ShareClass.Operating, 9_000);
            parties = new address[](1);
            parties[0] = handler.owner();
            return (entries, parties);
        }
        ShareEntry[] memory current = emc.versionEntries(active);
        entries = new ShareEntry[](current.length + 1);
        parties = new address[](current.length);
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
        uint256 n = 1;
        uint256 p;
        for (uint256 i; i < current.length; ++i) {
            ShareEntry memory e = current[i];
            if (e.account == DEV_FUND) {
                entries[0].bps += e.bps;
            } else if (_departed(e.account) || (leaveOutRestricted && _restricted(e.account))) {
                entries[0].bps += e.bps;
            } else {
                entries[n++] = e;
                if (p == 0 || parties[p - 1] != e.account) parties[p++] = e.account;
            }
        }
        uint256 skip = entries[0].bps == 0 ? 1 : 0; // no fund entry without bps
        ShareEntry[] memory trimmed = new ShareEntry[](n - skip);
        for (uint256 i; i < trimmed.length; ++i) {
            trimmed[i] = entries[i + skip];
        }
        entries = trimmed;
        assembly ("memory-safe") {
            mstore(parties, p)
        }
    }

    function _departed(address account) internal view returns (bool) {
        Departure memory d = emc.departureOf(account);
        return d.noticedAt != 0 && emc.totals().periods >= d.effectivePeriod;
    }

    /// @dev Suspended, or without the role its shares need.
    function _restricted(address account) internal view returns (bool) {
        return !registry.isActive(account, handler.roleOf(account));
    }

    function _refused(address from, bytes memory data, bytes memory expected, string memory what) internal {
        vm.prank(from);
        (bool ok, bytes memory ret) = address(emc).call(data);
        assertTrue(!ok, string.concat("dissolved: ", what, " was accepted"));
        assertTrue(
            keccak256(ret) == keccak256(expected),
            string.concat("dissolved: ", what, " refused with ", vm.toString(ret), " not EmcWrongStatus")
        );
    }

    /// @dev Mints `amount` to `account` and approves the EMC for it. (A prank applies to the
    /// next call, so every address is read before it.)
    function _fund(address account, uint256 amount) internal {
        address treasury = handler.treasury();
        vm.prank(treasury);
        token.mint(account, amount, bytes32("fiat"));
        vm.prank(account);
        token.approve(address(emc), amount);
    }

    function _firstMemberOtherThan(address account) internal view returns (address) {
        for (uint256 i = 1; i < accounts.length; ++i) {
            if (accounts[i] != account) return accounts[i];
        }
        revert("no member");
    }

    /// @dev The revert data, named where it is one of the errors a liveness probe may meet.
    function _describe(bytes memory ret) internal pure returns (string memory) {
        if (ret.length < 4) return vm.toString(ret);
        bytes4 selector = bytes4(ret);
        bytes memory args = new bytes(ret.length - 4);
        for (uint256 i; i < args.length; ++i) {
            args[i] = ret[i + 4];
        }
        if (selector == IEMCErrors.EmcMemberLeftOut.selector) {
            (address account, uint256 period) = abi.decode(args, (address, uint256));
            return string.concat("EmcMemberLeftOut(", vm.toString(account), ", ", vm.toString(period), ")");
        }
        if (selector == IEMCErrors.EmcIneligibleMember.selector) {
            (address account, uint8 class) = abi.decode(args, (address, uint8));
            return string.concat("EmcIneligibleMember(", vm.toString(account), ", ", vm.toString(uint256(class)), ")");
        }
        if (selector == IEMCErrors.EmcPartyNotActive.selector) {
            (uint256 id, address account) = abi.decode(args, (uint256, address));
            return string.concat("EmcPartyNotActive(", vm.toString(id), ", ", vm.toString(account), ")");
        }
        if (selector == IEMCErrors.EmcCallerNotActive.selector) {
            return string.concat("EmcCallerNotActive(", vm.toString(abi.decode(args, (address))), ")");
        }
        return vm.toString(ret);
    }

    /// @dev Fails `rule` for `accounts[i]`; messages are built only on failure (they cost).
    function _fail(string memory rule, uint256 i, uint256 actual, uint256 expected) internal view {
        revert(
            string.concat(
                rule, " for ", vm.toString(accounts[i]), ": ", vm.toString(actual), " != ", vm.toString(expected)
            )
        );
    }

    /// @dev Adds this run's outcomes to the campaign's (kept in the process environment, the
    /// one thing that outlives a run) and logs the totals so far: forge prints the logs of
    /// the last run with -vv, so that is the whole campaign's summary.
    function _logStats(string memory suite) internal {
        (string[] memory names, uint256[] memory counts) = handler.stats();
        console.log(string.concat(suite, ": handler outcomes over the campaign so far"));
        uint256 runs = _addStat(suite, "runs", 1);
        console.log("  runs", runs);
        _logTotal(suite, "runs that dissolved the EMC", handler.ghostDissolved() ? 1 : 0);
        _logTotal(suite, "runs that reached the target", handler.ghostTargetReached() ? 1 : 0);
        _logTotal(suite, "runs that forfeited the pool", handler.ghostForfeited() ? 1 : 0);
        _logTotal(suite, "periods settled", handler.ghostPeriods());
        // The outcomes any run has seen, in a fixed list, plus this run's.
        for (uint256 i; i < names.length; ++i) {
            _addStat(suite, names[i], counts[i]);
            _remember(suite, names[i]);
        }
        uint256 known = vm.envOr(string.concat("RDH_FORGE_", suite, "_names"), uint256(0));
        for (uint256 i; i < known; ++i) {
            string memory name = _nameAt(suite, i);
            console.log(string.concat("  ", name), vm.envOr(_key(suite, name), uint256(0)));
        }
    }

    function _logTotal(string memory suite, string memory name, uint256 count) private {
        console.log(string.concat("  ", name), _addStat(suite, name, count));
    }

    function _addStat(string memory suite, string memory name, uint256 count) private returns (uint256 total) {
        string memory key = _key(suite, name);
        total = vm.envOr(key, uint256(0)) + count;
        vm.setEnv(key, vm.toString(total));
    }

    function _remember(string memory suite, string memory name) private {
        string memory seen = string.concat(_key(suite, name), "_seen");
        if (vm.envOr(seen, uint256(0)) != 0) return;
        vm.setEnv(seen, "1");
        string memory countKey = string.concat("RDH_FORGE_", suite, "_names");
        uint256 n = vm.envOr(countKey, uint256(0));
        vm.setEnv(string.concat("RDH_FORGE_", suite, "_name_", vm.toString(n)), name);
        vm.setEnv(countKey, vm.toString(n + 1));
    }

    function _nameAt(string memory suite, uint256 i) private view returns (string memory) {
        return vm.envOr(string.concat("RDH_FORGE_", suite, "_name_", vm.toString(i)), string(""));
    }

    function _key(string memory suite, string memory name) private pure returns (string memory) {
        return string.concat("RDH_FORGE_", suite, "_", vm.toString(keccak256(bytes(name))));
    }
}
