using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;

namespace Ledger.Tests.Domain;

// Given(history) / When(command) / Then(events or rejection), so each spec reads in about three lines.
internal static partial class DomainSpec
{
    public static readonly Guid Alice = Guid.Parse("a11ce000-0000-0000-0000-000000000001");
    public static readonly Guid Bob = Guid.Parse("b0b00000-0000-0000-0000-000000000002");
    public static readonly Guid Bank = Guid.Parse("ba4c0000-0000-0000-0000-000000000003");
    public static readonly Guid Nobody = Guid.Parse("00000000-0000-0000-0000-00000000dead");
    public static readonly Guid TransferId = Guid.Parse("7f000000-0000-0000-0000-000000000007");
    public static readonly Guid EarlierTransferId = Guid.Parse("7f000000-0000-0000-0000-000000000006");

    public static readonly DateTimeOffset Yesterday = new(2025, 3, 13, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Now = new(2025, 3, 14, 10, 0, 0, TimeSpan.Zero);

    public static History Given(params IAccountEvent[] events) => new(events, []);

    public static AccountOpened Opened(Guid id, string currency = "USD", bool allowNegative = false) =>
        new(id, currency, Name: null, allowNegative, IsSettlement: false, Yesterday);

    public static AccountOpened OpenedSettlement(Guid id, string currency = "USD") =>
        new(id, currency, Name: "Settlement", AllowNegative: true, IsSettlement: true, Yesterday);

    // Valid only as the account's first movement: the balance after equals the amount.
    public static AccountCredited Funded(Guid id, long amount) =>
        new(id, EarlierTransferId, amount, Bank, BalanceAfterMinor: amount, Reference: null, Yesterday);

    public static AccountDebited Debited(Guid id, long amount, long balanceAfter, DateTimeOffset at) =>
        new(id, EarlierTransferId, amount, Bank, balanceAfter, Reference: null, at);

    public static TransferFunds Transfer(Guid from, Guid to, long amount, string currency = "USD") =>
        new(TransferId, from, to, amount, currency, Reference: "rent", Now);

    public static RiskLimits Limits(long? maxTransfer = null, long? maxDaily = null, Guid[]? blocked = null) =>
        new(
            maxTransfer is { } transfer ? new Dictionary<string, long> { ["USD"] = transfer } : [],
            maxDaily is { } daily ? new Dictionary<string, long> { ["USD"] = daily } : [],
            (blocked ?? []).ToHashSet());

    public static void ShouldEmit(this Decision decision, params IAccountEvent[] expected) =>
        decision.ShouldBeOfType<Accepted>().Events.ShouldBe(expected);

    public static void ShouldEmitNothing(this Decision decision) => decision.ShouldEmit();

    public static Rejection ShouldReject(this Decision decision, RejectionCode code)
    {
        var rejection = decision.ShouldBeOfType<Rejected>().Rejection;
        rejection.Code.ShouldBe(code, rejection.Detail);
        return rejection;
    }

    public static void ShouldEmit(this HoldDecision decision, IHoldEvent expectedHoldEvent, params IAccountEvent[] expected)
    {
        var accepted = decision.ShouldBeOfType<HoldAccepted>();
        accepted.HoldEvent.ShouldBe(expectedHoldEvent);
        accepted.AccountEvents.ShouldBe(expected);
    }

    public static TransferHold ShouldLeaveUnchanged(this HoldDecision decision) =>
        decision.ShouldBeOfType<HoldUnchanged>().Hold;

    public static Rejection ShouldReject(this HoldDecision decision, RejectionCode code)
    {
        var rejection = decision.ShouldBeOfType<HoldRejected>().Rejection;
        rejection.Code.ShouldBe(code, rejection.Detail);
        return rejection;
    }

    // The account streams and the transfers' own streams (holds), each folded by its own evolution.
    internal sealed class History(IReadOnlyList<IAccountEvent> events, IReadOnlyList<IHoldEvent> holdEvents)
    {
        public History And(params IHoldEvent[] more) => new(events, [.. holdEvents, .. more]);

        public AccountState? StateOf(Guid accountId) =>
            AccountEvolution.Replay(events.Where(e => e.AccountId == accountId));

        public TransferHold? HoldOf(Guid transferId) =>
            TransferHoldEvolution.Replay(holdEvents.Where(e => e.TransferId == transferId));

        public Decision When(IAccountCommand command) =>
            AccountDecider.Decide(command, StateOf(command.AccountId));

        public Decision When(TransferFunds command, RiskLimits? limits = null) =>
            TransferDecider.Decide(
                command, StateOf(command.FromAccountId), StateOf(command.ToAccountId), limits ?? RiskLimits.None);

        public HoldDecision When(PlaceHold command, RiskLimits? limits = null) =>
            PlaceHoldDecider.Decide(
                command, StateOf(command.FromAccountId), StateOf(command.ToAccountId), limits ?? RiskLimits.None);

        // As the writer will: the hold first, then the two accounts it names.
        public HoldDecision When(IHoldCommand command)
        {
            var hold = HoldOf(command.TransferId);
            return TransferHoldDecider.Decide(
                command, hold, hold is null ? null : StateOf(hold.FromAccountId), hold is null ? null : StateOf(hold.ToAccountId));
        }
    }
}
