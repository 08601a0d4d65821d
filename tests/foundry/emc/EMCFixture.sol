// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EMCFactory} from "../../../contracts/EMCFactory.sol";
import {MemberRegistry} from "../../../contracts/MemberRegistry.sol";
import {SettlementToken} from "../../../contracts/SettlementToken.sol";
import {TargetGuidelines} from "../../../contracts/TargetGuidelines.sol";
import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {EmcTerms} from "../../../contracts/types/Shares.sol";
import {Criteria, Formula, Strategy} from "../../../contracts/types/Targets.sol";
import {TestBase} from "../utils/Test.sol";
import {TestWallet} from "../utils/TestWallet.sol";

/// @notice One deployment as `rdh_chain/deployment.py` makes it (registry with the admin as
/// operator, token, guidelines, factory with the registrar role), its wallets, and one EMC
/// registered from a published formula (notices of at most 3 periods; only losses drawn on
/// capital need an auditor's attestation).
/// @dev Wallets are plain keys so that every party can sign versions with `vm.sign`, but for
/// one ME, an ERC-1271 contract wallet (`TestWallet`) whose owner key signs for it.
/// `members` holds the MEs (the owner first) and partners sorted by address: the order share
/// entries and signatures must be in.
contract EMCFixture is TestBase {
    // Terms of the EMC, from the formula below at a full score (criteria all 100).
    uint64 internal constant TARGET_USERS = 1_500;
    uint96 internal constant TARGET_REVENUE = 30_000_000; // fen: 300,000 RMB
    uint16 internal constant SHARING_SPACE_BPS = 300; // 900,000 fen
    uint16 internal constant LOSS_THRESHOLD_BPS = 500; // 1,500,000 fen
    uint16 internal constant PARTNER_MIN_BPS = 200;
    uint16 internal constant PARTNER_MAX_BPS = 600;
    uint16 internal constant MAX_NOTICE_PERIODS = 3;

    uint256 internal constant ME_COUNT = 5; // the owner and four more
    uint256 internal constant PARTNER_COUNT = 3;

    MemberRegistry public registry;
    SettlementToken public token;
    TargetGuidelines public guidelines;
    EMCFactory public factory;
    IEMC public emc;
    IEMCModule public module; // the same address as `emc`, served through its fallback

    address public admin;
    address public treasury;
    address public steward;
    address public auditor;
    /// @notice An auditor the admin suspended: its attestations are refused (`EmcNotAuditor`).
    address public suspendedAuditor;
    address public owner;
    address[] internal _mes; // owner first
    address[] internal _partners;
    address[] internal _members; // MEs and partners, ascending
    mapping(address account => uint256) internal _keyOf;
    mapping(address account => bool) internal _isPartner;
    /// @notice The members that are ERC-1271 contract wallets (one ME), signing with the key
    /// `_keyOf` them.
    mapping(address account => bool) internal _isWallet;

    function _deploy() internal {
        admin = _wallet("admin");
        treasury = _wallet("treasury");
        steward = _wallet("steward");
        auditor = _wallet("auditor");
        suspendedAuditor = _wallet("suspended auditor");
        for (uint256 i; i + 1 < ME_COUNT; ++i) {
            _mes.push(_wallet(string.concat("me", vm.toString(i))));
        }
        _mes.push(_contractWallet(string.concat("me", vm.toString(ME_COUNT - 1), " (ERC-1271 wallet)")));
        for (uint256 i; i < PARTNER_COUNT; ++i) {
            address p = _wallet(string.concat("partner", vm.toString(i)));
            _partners.push(p);
            _isPartner[p] = true;
        }
        owner = _mes[0];

        registry = new MemberRegistry(admin, bytes32("admin"));
        token = new SettlementToken(registry);
        guidelines = new TargetGuidelines(registry);
        factory = new EMCFactory(registry, token, guidelines);

        vm.startPrank(admin);
        registry.addMember(address(factory), Roles.REGISTRAR, bytes32(0));
        registry.addMember(treasury, Roles.TREASURY, bytes32("treasury"));
        registry.addMember(steward, Roles.STEWARD, bytes32("steward"));
        registry.addMember(auditor, Roles.AUDITOR, bytes32("auditor"));
        registry.addMember(suspendedAuditor, Roles.AUDITOR, bytes32("auditor 2"));
        registry.suspendMember(suspendedAuditor, bytes32("suspended"));
        for (uint256 i; i < ME_COUNT; ++i) {
            registry.addMember(_mes[i], Roles.ME, bytes32(i));
        }
        for (uint256 i; i < PARTNER_COUNT; ++i) {
            registry.addMember(_partners[i], Roles.PARTNER, bytes32(i));
        }
        vm.stopPrank();

        vm.prank(steward);
        guidelines.publishFormula(
            Strategy.Explore,
            Formula({
                weightsBps: [uint16(2_500), 2_500, 2_500, 2_500],
                usersAtFullScore: TARGET_USERS,
                revenueAtFullScore: TARGET_REVENUE,
                sharingSpaceBps: SHARING_SPACE_BPS,
                partnerMinBps: PARTNER_MIN_BPS,
                partnerMaxBps: PARTNER_MAX_BPS,
                minScore: 0,
                lossThresholdBps: LOSS_THRESHOLD_BPS,
                maxNoticePeriods: MAX_NOTICE_PERIODS,
                attestAllReports: false
            }),
            bytes32("formula")
        );
        vm.prank(admin);
        emc = IEMC(factory.createEmc(owner, Strategy.Explore, Criteria(100, 100, 100, 100), bytes32("emc")));
        module = IEMCModule(address(emc));
        vm.label(address(emc), "emc");

        for (uint256 i; i < ME_COUNT; ++i) {
            _members.push(_mes[i]);
        }
        for (uint256 i; i < PARTNER_COUNT; ++i) {
            _members.push(_partners[i]);
        }
        _sort(_members);
    }

    function terms() public view returns (EmcTerms memory) {
        return module.terms();
    }

    function members() external view returns (address[] memory) {
        return _members;
    }

    function isPartner(address account) external view returns (bool) {
        return _isPartner[account];
    }

    function keyOf(address account) external view returns (uint256) {
        return _keyOf[account];
    }

    function isWallet(address account) external view returns (bool) {
        return _isWallet[account];
    }

    /// @dev The registry role a member's shares need: partner for partners, ME otherwise.
    function roleOf(address account) public view returns (bytes32) {
        return _isPartner[account] ? Roles.PARTNER : Roles.ME;
    }

    /// @dev An ERC-1271 contract wallet (`TestWallet`) whose owner key is `_keyOf` the wallet:
    /// it signs versions as a contract signature (`PackedSignatures.walletSig`).
    function _contractWallet(string memory name) private returns (address account) {
        uint256 key = uint256(keccak256(bytes(string.concat("rdh-chain forge wallet ", name)))) % SECP256K1_ORDER;
        account = address(new TestWallet(vm.addr(key)));
        _keyOf[account] = key;
        _isWallet[account] = true;
        vm.label(account, name);
    }

    function _wallet(string memory name) private returns (address account) {
        uint256 key = uint256(keccak256(bytes(string.concat("rdh-chain forge wallet ", name)))) % SECP256K1_ORDER;
        account = vm.addr(key);
        _keyOf[account] = key;
        vm.label(account, name);
    }

    uint256 private constant SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function _sort(address[] storage list) private {
        for (uint256 i = 1; i < list.length; ++i) {
            address current = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > current) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = current;
        }
    }
}
