using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public partial class HoldProperties
{
    // The ledger as the writer sees it (states folded from the emitted events) beside a model that knows only
    // balances and which holds are open.
    private sealed class Books
    {
        public const int NoHold = -1;
        public static readonly int[] Usd = [0, 1, 2, 3];
        public static readonly int[] Eur = [4, 5];

        public static readonly AccountOpened[] Accounts =
        [
            OpenedAs(0, "USD", allowNegative: true, isSettlement: true),
            OpenedAs(1, "USD", allowNegative: false, isSettlement: false),
            OpenedAs(2, "USD", allowNegative: false, isSettlement: false),
            OpenedAs(3, "USD", allowNegative: true, isSettlement: false),
            OpenedAs(4, "EUR", allowNegative: true, isSettlement: true),
            OpenedAs(5, "EUR", allowNegative: false, isSettlement: false),
        ];

        private readonly Dictionary<Guid, AccountState> _accounts = Accounts.ToDictionary(a => a.AccountId, a => AccountEvolution.Evolve(null, a));
        private readonly Dictionary<Guid, TransferHold> _holds = [];
        private readonly List<Guid> _holdIds = [];
        private readonly Dictionary<Guid, long> _balances = Accounts.ToDictionary(a => a.AccountId, _ => 0L);
        private readonly HashSet<Guid> _open = [];
        private DateTimeOffset _now = Now;
        private int _transfers;

        public void Run(Step[] steps)
        {
            foreach (var (customer, settlement, amount) in new[] { (1, 0, 1_000L), (2, 0, 500L), (5, 4, 800L) })
            {
                Apply(new Move(settlement, customer, amount));
            }

            foreach (var step in steps)
            {
                Apply(step);
                RequireInvariants(step);
            }
        }

        private void Apply(Step step)
        {
            switch (step)
            {
                case Move move:
                    Decided(move, TransferDecider.Decide(
                        new TransferFunds(NextTransferId(), Id(move.From), Id(move.To), move.AmountMinor, CurrencyOf(move.From), null, _now),
                        _accounts[Id(move.From)], _accounts[Id(move.To)], RiskLimits.None));
                    break;
                case Reserve reserve:
                    var transferId = NextTransferId();
                    Decided(reserve, transferId, PlaceHoldDecider.Decide(
                        new PlaceHold(transferId, Id(reserve.From), Id(reserve.To), reserve.AmountMinor, CurrencyOf(reserve.From), null, reserve.TimeoutSeconds, _now),
                        _accounts[Id(reserve.From)], _accounts[Id(reserve.To)], RiskLimits.None));
                    break;
                case Post post:
                    var posted = HoldAt(post.Hold);
                    var amount = post.PercentOfHeld is { } percent && posted is not null ? Math.Max(1, posted.AmountMinor * percent / 100) : (long?)null;
                    Settled(post, new PostHold(TransferIdAt(post.Hold), amount, _now));
                    break;
                case Void @void:
                    Settled(@void, new VoidHold(TransferIdAt(@void.Hold), _now));
                    break;
                case Expire expire when HoldAt(expire.Hold) is { ExpiresAt: { } expiresAt }:
                    _now = expiresAt > _now ? expiresAt : _now;
                    Settled(expire, new ExpireHold(TransferIdAt(expire.Hold), _now));
                    break;
                case Expire:
                    break; // No hold there, or one without a timeout: nothing is scheduled.
                case Wait wait:
                    _now = _now.AddSeconds(wait.Seconds);
                    break;
                default:
                    throw new InvalidOperationException($"No step {step}.");
            }
        }

        // Post, void or expire, loaded as the writer will: the hold first, then the accounts it names.
        private void Settled(Step step, IHoldCommand command)
        {
            var hold = _holds.GetValueOrDefault(command.TransferId);
            var decision = hold is null
                ? TransferHoldDecider.Decide(command, null, null, null)
                : TransferHoldDecider.Decide(command, hold, _accounts[hold.FromAccountId], _accounts[hold.ToAccountId]);
            var requestedMinor = (command as PostHold)?.AmountMinor;
            switch (decision)
            {
                case HoldAccepted accepted:
                    (hold?.Status).ShouldBe(HoldStatus.Pending);
                    _open.Remove(command.TransferId).ShouldBeTrue();
                    if (command is PostHold)
                    {
                        var postedMinor = requestedMinor ?? hold!.AmountMinor;
                        postedMinor.ShouldBeLessThanOrEqualTo(hold!.AmountMinor);
                        _balances[hold.FromAccountId] -= postedMinor;
                        _balances[hold.ToAccountId] += postedMinor;
                    }

                    Evolve(accepted);
                    break;
                case HoldUnchanged unchanged:
                    unchanged.Hold.Status.ShouldNotBe(HoldStatus.Pending);
                    break;
                case HoldRejected { Rejection.Code: RejectionCode.TransferExpired }:
                    (hold?.Status == HoldStatus.Expired || (hold?.Status == HoldStatus.Pending && hold.ExpiresAt <= _now)).ShouldBeTrue();
                    break;
                case HoldRejected { Rejection.Code: RejectionCode.TransferNotPending }:
                    (hold is null || hold.Status is HoldStatus.Posted or HoldStatus.Voided).ShouldBeTrue();
                    break;
                case HoldRejected { Rejection.Code: RejectionCode.AmountExceedsPending }:
                    requestedMinor.ShouldNotBeNull().ShouldBeGreaterThan(hold!.AmountMinor);
                    break;
                default:
                    throw new ShouldAssertException($"{step} was decided as {decision}.");
            }
        }

        private void Decided(Move move, Decision decision)
        {
            var (from, to) = (_accounts[Id(move.From)], _accounts[Id(move.To)]);
            if (decision is Accepted accepted)
            {
                Evolve(accepted.Events);
                (_balances[from.Id], _balances[to.Id]) = (_balances[from.Id] - move.AmountMinor, _balances[to.Id] + move.AmountMinor);
                return;
            }

            var code = decision.ShouldBeOfType<Rejected>().Rejection.Code;
            code.ShouldBeOneOf(RejectionCode.InsufficientFunds, RejectionCode.CurrencyMismatch);
            if (code == RejectionCode.InsufficientFunds) (from.AllowNegative || from.AvailableBalanceMinor >= move.AmountMinor).ShouldBeFalse();
        }

        private void Decided(Reserve reserve, Guid transferId, HoldDecision decision)
        {
            var from = _accounts[Id(reserve.From)];
            if (decision is HoldAccepted accepted)
            {
                Evolve(accepted);
                _holdIds.Add(transferId);
                _open.Add(transferId);
                return;
            }

            var code = decision.ShouldBeOfType<HoldRejected>().Rejection.Code;
            code.ShouldBeOneOf(RejectionCode.InsufficientFunds, RejectionCode.CurrencyMismatch);
            if (code == RejectionCode.InsufficientFunds) (from.AllowNegative || from.AvailableBalanceMinor >= reserve.AmountMinor).ShouldBeFalse();
        }

        private void Evolve(HoldAccepted accepted)
        {
            var transferId = accepted.HoldEvent.TransferId;
            _holds[transferId] = TransferHoldEvolution.Evolve(_holds.GetValueOrDefault(transferId), accepted.HoldEvent);
            Evolve(accepted.AccountEvents);
        }

        private void Evolve(IEnumerable<IAccountEvent> events)
        {
            foreach (var @event in events)
            {
                _accounts[@event.AccountId] = AccountEvolution.Evolve(_accounts[@event.AccountId], @event);
            }
        }

        private void RequireInvariants(Step after)
        {
            foreach (var account in _accounts.Values)
            {
                var heldFrom = _open.Sum(id => _holds[id].FromAccountId == account.Id ? _holds[id].AmountMinor : 0);
                var heldFor = _open.Sum(id => _holds[id].ToAccountId == account.Id ? _holds[id].AmountMinor : 0);
                (account.BalanceMinor, account.PendingDebitsMinor, account.PendingCreditsMinor)
                    .ShouldBe((_balances[account.Id], heldFrom, heldFor), $"after {after}");
                account.AvailableBalanceMinor.ShouldBe(account.BalanceMinor - account.PendingDebitsMinor);
                if (!account.AllowNegative) account.AvailableBalanceMinor.ShouldBeGreaterThanOrEqualTo(0, $"after {after}");
            }

            foreach (var currency in _accounts.Values.GroupBy(a => a.Currency))
            {
                currency.Sum(a => a.BalanceMinor).ShouldBe(0, $"{currency.Key} after {after}");
                currency.Sum(a => a.PendingDebitsMinor).ShouldBe(currency.Sum(a => a.PendingCreditsMinor), $"{currency.Key} after {after}");
            }
        }

        private TransferHold? HoldAt(int recent) => _holds.GetValueOrDefault(TransferIdAt(recent));

        // The recent-th hold from the last one placed; NoHold, or one further back than the first, names a
        // transfer that has no hold of its own.
        private Guid TransferIdAt(int recent) =>
            recent != NoHold && recent < _holdIds.Count ? _holdIds[^(recent + 1)] : OnePhaseTransferId;

        private static readonly Guid OnePhaseTransferId = new(0, 1, 0, new byte[8]);

        private Guid NextTransferId() => new(++_transfers, 1, 0, new byte[8]);

        private static Guid Id(int index) => Accounts[index].AccountId;

        private static string CurrencyOf(int index) => Accounts[index].Currency;

        private static AccountOpened OpenedAs(int index, string currency, bool allowNegative, bool isSettlement) =>
            new(new Guid(index + 1, 0, 0, new byte[8]), currency, $"Account {index}", allowNegative, isSettlement, Yesterday);
    }
}
