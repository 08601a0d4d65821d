// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../../../contracts/interfaces/ISettlementToken.sol";
import {CapitalAccount, CapitalTotals, PoolView} from "../../../contracts/types/Capital.sol";
import {
    EmcStatus, EmcTerms, ShareClass, ShareEntry, ShareProof, Version, VersionStatus
} from "../../../contracts/types/Shares.sol";
import {EMCCampaignStats} from "./EMCCampaignStats.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {EMCGhost} from "./EMCGhost.sol";
import {EMCHandler} from "./EMCHandler.sol";

/// @notice The money checks the invariant suites are made of, each a rule stated on the EMC's
/// views and compared with the handler's ghost books, exactly, in 1/10,000 fen where credit is
/// counted in it. The lifecycle checks are in `EMCLifecycleChecks`.
abstract contract EMCInvariantBase is EMCCampaignStats {
    uint256 internal constant BPS = 10_000;
    address internal constant DEV_FUND = address(0);

    EMCHandler internal handler;
    IEMC internal emc;
    IEMCModule internal module;
    ISettlementToken internal token;
    IMemberRegistry internal registry;
    EmcTerms internal terms;
    address[] internal accounts; // the fund (0) and every member
    /// @dev Each member's registry role and key, read once (the probes need them often).
    mapping(address account => bytes32) internal _roleOf;
    mapping(address account => uint256) internal _keyOf;
    mapping(address account => bool) internal _isWallet;

    function setUp() public virtual {
        handler = new EMCHandler();
        emc = handler.emc();
        module = handler.module();
        token = ISettlementToken(address(handler.token()));
        registry = IMemberRegistry(address(handler.registry()));
        terms = module.terms();
        accounts.push(DEV_FUND);
        address[] memory m = handler.members();
        for (uint256 i; i < m.length; ++i) {
            accounts.push(m[i]);
            _roleOf[m[i]] = handler.roleOf(m[i]);
            _keyOf[m[i]] = handler.keyOf(m[i]);
            _isWallet[m[i]] = handler.isWallet(m[i]);
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
        IEMCModule.AccountView[] views; // per `accounts`
        IEMC.Totals totals;
        CapitalTotals capital;
        PoolView pool;
        EmcStatus status;
        uint256 balance;
        uint256 sweepable;
    }

    function _read() internal view returns (State memory s) {
        s.book = handler.book();
        s.books = handler.accountBooks(accounts);
        uint256 n = accounts.length;
        s.views = new IEMCModule.AccountView[](n);
        (ShareProof[] memory proofs, uint256[] memory counts) = handler.proofsForAll(accounts);
        uint256 offset;
        for (uint256 i; i < n; ++i) {
            ShareProof[] memory own = new ShareProof[](counts[i]);
            for (uint256 k; k < own.length; ++k) {
                own[k] = proofs[offset + k];
            }
            offset += own.length;
            s.views[i] = module.accountOf(accounts[i], own);
        }
        s.totals = emc.totals();
        s.capital = module.capitalTotals();
        s.pool = module.pool();
        s.status = emc.status();
        s.balance = token.balanceOf(address(emc));
        s.sweepable = module.sweepable();
    }

    // ================================================================== money

    /// @notice Conservation, in 1/10,000 fen: what the accounts were paid, can claim, have
    /// locked and keep as dust (the fund's claimable includes its balance: the released pool's
    /// part for it and swept credit, less withdrawals), plus the capital, the loss cover paid,
    /// the capital returned, the released pool owed to investors (paid or not), the voided
    /// pool's fraction and the stray credit not swept == everything that entered (profits,
    /// investments, stray credit), exactly. Then the EMC's balance, and `sweepable`.
    /// @dev How dust enters: each account keeps two remainders, each under one fen
    /// (10,000 units), of the credit booked to it that makes no whole fen yet: one of its
    /// partner, operating and fund credit (for the fund also the pool's excess beyond the fill
    /// point), one of its value-added credit. They never merge. Every profit credits 10,000 bps
    /// of itself in all, so the accounts' dust sums to whole fen; after a forfeiture the members'
    /// value-added credit, `pool accrued` in all, leaves the books, only its whole fen come back
    /// (released), and the voided fraction (`unreleasedPoolDust`, under one fen) completes it.
    /// Nothing else creates or loses a unit: sweeps move only whole fen nobody is owed.
    function _checkConservation(State memory s) internal pure {
        uint256 booked;
        uint256 dust;
        uint256 unpaid;
        uint256 paid;
        for (uint256 i; i < s.views.length; ++i) {
            IEMCModule.AccountView memory v = s.views[i];
            booked += BPS * (v.paid + v.claimable + v.locked) + v.dust;
            unpaid += v.claimable + v.locked;
            paid += v.paid;
            dust += v.dust;
        }
        EMCGhost.Book memory b = s.book;
        CapitalTotals memory c = s.capital;
        uint256 entered = b.deposited + b.invested + b.stray;
        uint256 unowned = b.stray - b.swept;
        uint256 poolUnclaimed = c.poolToInvestors - c.poolPaid;
        assertEq(
            booked + BPS * (c.capital + c.lossesCovered + c.returned + c.poolToInvestors) + b.unreleasedPoolDust + BPS
                * unowned,
            BPS * entered,
            "conservation: paid + claimable + locked + dust + capital + loss cover + returned + pool to investors + unowned != entered (1/10,000 fen)"
        );
        assertEq((dust + b.unreleasedPoolDust) % BPS, 0, "rounding: the dust is not a whole number of fen");
        assertLe(dust, 2 * (BPS - 1) * s.views.length, "rounding: more than two fen of dust per account");

        uint256 left = b.claimed + b.withdrawn + b.lossCovered + b.capitalReturned + b.poolPaid;
        assertEq(s.balance, entered - left, "balance: the EMC holds other than entered - left");
        assertEq(
            BPS * s.balance,
            BPS * (unpaid + c.capital + poolUnclaimed + unowned) + dust + b.unreleasedPoolDust,
            "balance: the EMC holds other than what it owes + unowned credit"
        );
        assertEq(paid, b.claimed + b.withdrawn, "paid: accounts' paid != claims + withdrawals");
        assertEq(s.sweepable, unowned, "sweepable: != stray credit not swept");
    }

    /// @notice No account is credited, let alone paid, more than its basis points of the profit
    /// settled while it held them: value-added bps only on the profit below the pool's fill
    /// point (the space caps it), nothing of it once the pool is forfeited; the fund also earns
    /// the pool's bps beyond the fill point and gets the released pool's rest and sweeps.
    /// Exact: the EMC books, to the 1/10,000 fen, exactly that entitlement.
    function _checkEntitlements(State memory s) internal view {
        bool settledLocked = s.book.targetReached || s.book.forfeited;
        for (uint256 i; i < s.views.length; ++i) {
            IEMCModule.AccountView memory v = s.views[i];
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
            if (BPS * v.locked > s.books[i].valueAddedCredit) {
                _fail("accrual: locked more than value-added credit", i, BPS * v.locked, s.books[i].valueAddedCredit);
            }
        }
    }

    /// @notice The pool never exceeds the sharing space: what it accrued (the members'
    /// value-added credit in all, which the EMC books exactly, see `_checkEntitlements`) is at
    /// most sharingSpace x 10,000; the fill point, the excess the fund earned beyond it and
    /// what is left are the handler's.
    function _checkPool(State memory s) internal view {
        PoolView memory p = s.pool;
        EMCGhost.Book memory b = s.book;
        assertEq(p.sharingSpace, terms.sharingSpace, "pool: sharing space");
        assertLe(p.accrued, BPS * terms.sharingSpace, "pool: accrued above the sharing space (1/10,000 fen)");
        assertEq(p.accrued, b.poolAccrued, "pool: accrued");
        assertEq(p.fullAtProfit, b.poolFull ? b.poolFullAt : 0, "pool: full at");
        assertEq(p.excessToDevFund, b.poolExcess, "pool: excess to the fund");
        assertEq(p.left, terms.sharingSpace - (p.accrued + BPS - 1) / BPS, "pool: left");
        uint256 valueAdded;
        for (uint256 i = 1; i < s.books.length; ++i) {
            valueAdded += s.books[i].valueAddedCredit;
        }
        assertEq(valueAdded, b.poolAccrued, "pool: members' value-added credit != accrued");
        assertEq(s.books[0].valueAddedCredit, 0, "pool: the fund holds value-added credit");
    }

    /// @notice The running totals and the capital agree with the ghost books; no capital is
    /// left without units to claim it; the released pool owed to investors is at most what they
    /// lost, and paid out no further than it.
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
        assertEq(c.poolToInvestors, b.poolToInvestors, "capital: pool to investors");
        assertEq(c.poolPaid, b.poolPaid, "capital: pool paid");
        assertEq(c.investors, b.investors, "capital: investors");
        assertEq(c.claims, b.capitalClaims, "capital: claims");
        assertEq(c.capital == 0, c.totalUnits == 0, "capital: capital without units, or units without capital");
        assertLe(c.poolToInvestors, c.lossesCovered, "capital: pool to investors above the losses they bore");
        assertLe(c.poolToInvestors, c.poolReleased, "capital: pool to investors above the pool released");
        assertLe(c.poolPaid, c.poolToInvestors, "capital: pool paid above the pool to investors");
        assertLe(c.claims, c.investors, "capital: more claims than investors");
    }

    /// @notice Each investor's capital account is the handler's (units of the current era,
    /// invested, losses borne by the loss-per-unit index, claimed), worth its units' part of the
    /// capital, with its pro-rata share of a released pool; the investors' units add up to the
    /// total (so nobody else holds any), and the losses they bore add up to the losses covered,
    /// less one fen per rounding at most.
    function _checkCapitalAccounts(State memory s) internal view {
        CapitalTotals memory c = s.capital;
        uint256 units;
        uint256 value;
        uint256 borne;
        for (uint256 i = 1; i < accounts.length; ++i) {
            EMCGhost.AccountBook memory ab = s.books[i];
            if (ab.holding.invested == 0) continue; // the units' sum below covers the others
            (CapitalAccount memory held, uint256 worth, uint256 poolShare) = module.capitalOf(accounts[i]);
            if (held.units != ab.holding.units) _fail("capital: units", i, held.units, ab.holding.units);
            if (held.invested != ab.holding.invested) {
                _fail("capital: invested", i, held.invested, ab.holding.invested);
            }
            if (held.lossBorne != ab.holding.lossBorne) {
                _fail("capital: losses borne", i, held.lossBorne, ab.holding.lossBorne);
            }
            if (held.lossIndex != ab.holding.lossIndex) {
                _fail("capital: loss index", i, held.lossIndex, ab.holding.lossIndex);
            }
            if (held.claimed != ab.holding.claimed) _fail("capital: claimed", i, held.claimed ? 1 : 0, 0);
            uint256 expectedWorth = c.totalUnits == 0 ? 0 : held.units * c.capital / c.totalUnits;
            if (worth != expectedWorth) _fail("capital: worth", i, worth, expectedWorth);
            if (poolShare != ab.poolShare) _fail("capital: pool share", i, poolShare, ab.poolShare);
            units += held.units;
            value += worth;
            borne += held.lossBorne;
        }
        assertEq(units, c.totalUnits, "capital: investors' units != total units");
        assertLe(value, c.capital, "capital: holdings worth more than the capital");
        assertLe(c.capital, value + accounts.length, "capital: holdings worth less than capital - holders");
        assertLe(borne, c.lossesCovered, "capital: losses borne above the losses covered");
        assertLe(
            c.lossesCovered,
            borne + s.book.borneRoundings + s.book.investors,
            "capital: losses covered above the losses borne + roundings"
        );
    }

    // ================================================================== versions

    /// @notice The active version is the one the handler activated, and its entries are the
    /// ones its parties signed: the EIP-712 struct hash of the version the EMC stored (which
    /// binds every entry) is the one of the handler's entries, and its pool bps are the handler's. Those entries sum to 10,000 bps and keep the
    /// version rules: the handler checked them, as the `VersionProposed` event carries them,
    /// when they were proposed, and the lifecycle campaign checks them after every call
    /// (`_checkActiveEntries`).
    function _checkActiveVersion(State memory s) internal view {
        uint256 active = module.activeVersionId();
        assertEq(active, s.book.activeVersion, "versions: active id");
        if (active == 0) return;
        Version memory v = module.version(active);
        assertEq(uint256(v.status), uint256(VersionStatus.Active), "versions: active status");
        assertTrue(
            v.structHash == handler.structHashOf(active, s.book.activeEntriesHash),
            "versions: active entries are not those signed"
        );
        assertEq(v.valueAddedBps, s.book.activePoolBps, "versions: active pool bps");
    }

    /// @notice Every version's header commits to the entries the handler proposed: its status
    /// is the handler's, its `sharesRoot` and `partiesHash` are those of the tree the handler
    /// built from them, and each epoch opened with the version the handler activated. `all`:
    /// every version, each tree built again now from its entries; else (after every call of
    /// the money campaign) only those a call can have written: the latest proposal, the
    /// active version and the one it superseded, against the trees built at the proposal.
    function _checkVersionHeaders(bool all) internal view {
        (bytes32[] memory roots, bytes32[] memory partiesHashes, uint256[] memory statuses, uint256[] memory epochs) =
            handler.versionCommitments();
        uint256 count = module.versionCount();
        assertEq(count, roots.length, "versions: count");
        assertEq(epochs.length, handler.ghostActivations(), "versions: epochs");
        for (uint256 e = all ? 0 : (epochs.length < 2 ? 0 : epochs.length - 2); e < epochs.length; ++e) {
            assertEq(module.epochVersion(e), epochs[e], "versions: epoch's version");
            if (!all) _checkVersionHeader(epochs[e], roots, partiesHashes, statuses, false);
        }
        for (uint256 id = all ? 1 : count; id != 0 && id <= count; ++id) {
            _checkVersionHeader(id, roots, partiesHashes, statuses, all);
        }
    }

    function _checkVersionHeader(
        uint256 id,
        bytes32[] memory roots,
        bytes32[] memory partiesHashes,
        uint256[] memory statuses,
        bool rebuild
    ) internal view {
        Version memory v = module.version(id);
        bytes32 root = roots[id - 1];
        bytes32 partiesHash = partiesHashes[id - 1];
        if (rebuild) {
            ShareTrees.Tree memory tree = ShareTrees.build(handler.versionEntries(id));
            root = tree.root;
            partiesHash = ShareTrees.partiesHash(tree);
            assertEq(v.partyCount, tree.leaves.length, "versions: party count");
        }
        if (v.sharesRoot != root) _failVersion("versions: shares root != the tree of the entries", id);
        if (v.partiesHash != partiesHash) _failVersion("versions: parties hash != the entries' parties", id);
        if (uint256(v.status) != statuses[id - 1]) _failVersion("versions: status", id);
    }

    function _failVersion(string memory rule, uint256 id) internal pure {
        revert(string.concat(rule, " for version ", vm.toString(id)));
    }

    /// @notice The active version's entries, as the handler proposed them (the EMC keeps their
    /// commitments, checked above, and emitted them, checked at the proposal), sum to 10,000
    /// bps, in canonical order, partners within the terms' bounds, the fund at account 0, its
    /// pool figure their value-added sum.
    function _checkActiveEntries() internal view {
        uint256 active = module.activeVersionId();
        if (active == 0) return;
        checkEntries(handler.versionEntries(active), module.version(active).valueAddedBps, terms);
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

    /// @dev Fails `rule` for `accounts[i]`; messages are built only on failure (they cost).
    function _fail(string memory rule, uint256 i, uint256 actual, uint256 expected) internal view {
        revert(
            string.concat(
                rule, " for ", vm.toString(accounts[i]), ": ", vm.toString(actual), " != ", vm.toString(expected)
            )
        );
    }
}
