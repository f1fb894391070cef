using Ledger.Domain.Accounts;
using Ledger.Domain.Transfers;

namespace Ledger.Domain.Holds;

/// <summary>
/// Post, void and expire, decided against the transfer's own stream (<see cref="TransferHold"/>) and its two
/// accounts. Every outcome releases the whole hold on both accounts, or writes nothing.
/// </summary>
public static class TransferHoldDecider
{
    /// <param name="command">Post, void or expire.</param>
    /// <param name="hold">The transfer's own stream folded; null when the id has none.</param>
    /// <param name="from">The debited account of <paramref name="hold"/>; required with a hold.</param>
    /// <param name="to">The credited account of <paramref name="hold"/>; required with a hold.</param>
    public static HoldDecision Decide(IHoldCommand command, TransferHold? hold, AccountState? from, AccountState? to)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command is PostHold { AmountMinor: <= 0 })
        {
            // The edge accepts 1 up to the held amount; reaching the domain with less means it skipped validation.
            throw new ArgumentException($"{command} must post a positive amount.", nameof(command));
        }

        if (hold is null)
        {
            return command is ExpireHold
                ? throw new ArgumentException($"{command} names no hold; only a placed hold is scheduled to expire.", nameof(command))
                : NotTwoPhase(command);
        }

        var (debited, credited) = RequireAccountsOf(command, hold, from, to);

        return (command, hold.Status) switch
        {
            (PostHold post, HoldStatus.Pending) when IsPastDue(hold, post.Now) => Expired(hold),
            (PostHold post, HoldStatus.Pending) => Post(post, hold, debited, credited),
            (PostHold post, HoldStatus.Posted) when post.AmountMinor == hold.RequestedPostAmountMinor => new HoldUnchanged(hold),
            (PostHold, HoldStatus.Posted) => NotPending(hold, "was already posted with another amount"),
            (PostHold, HoldStatus.Voided) => NotPending(hold, "was voided"),
            (PostHold, HoldStatus.Expired) => Expired(hold),

            (VoidHold @void, HoldStatus.Pending) when IsPastDue(hold, @void.Now) => Expired(hold),
            (VoidHold @void, HoldStatus.Pending) =>
                Release(new HoldVoided(hold.TransferId, @void.Now), hold, debited, credited, HoldRelease.Voided, @void.Now),
            (VoidHold, HoldStatus.Voided) => new HoldUnchanged(hold),
            (VoidHold, HoldStatus.Posted) => NotPending(hold, "was posted"),
            (VoidHold, HoldStatus.Expired) => Expired(hold),

            (ExpireHold expire, HoldStatus.Pending) => Expire(expire, hold, debited, credited),
            // A post or void that won the race a moment earlier leaves the expiry nothing to do.
            (ExpireHold, HoldStatus.Posted or HoldStatus.Voided or HoldStatus.Expired) => new HoldUnchanged(hold),

            _ => throw new InvalidOperationException(
                $"No rule for command {command.GetType().Name} on a {nameof(TransferHold)} that is {hold.Status}."),
        };
    }

    // Without a stream of its own the id names no two-phase transfer. The domain never sees one-phase transfers,
    // so the caller answers not_found for an id that names no transfer at all; what is left is a completed one.
    private static HoldRejected NotTwoPhase(IHoldCommand command) =>
        new(Rejections.TransferNotPending(command.TransferId, "is a completed one-phase transfer"));

    private static HoldRejected NotPending(TransferHold hold, string state) =>
        new(Rejections.TransferNotPending(hold.TransferId, state));

    private static HoldRejected Expired(TransferHold hold) =>
        new(Rejections.TransferExpired(
            hold.TransferId, hold.ExpiresAt ?? throw new InvalidOperationException($"{hold} expired without an expiry instant.")));

    // A hold is expired from the instant it is due, even before the expiry has been written.
    private static bool IsPastDue(TransferHold hold, DateTimeOffset now) => hold.ExpiresAt <= now;

    // Funds and risk limits were checked when the hold was placed; only the accounts' status can have changed.
    private static HoldDecision Post(PostHold post, TransferHold hold, AccountState from, AccountState to)
    {
        var amount = post.AmountMinor ?? hold.AmountMinor;
        if (amount > hold.AmountMinor)
        {
            return new HoldRejected(Rejections.Reject(
                RejectionCode.AmountExceedsPending,
                $"Transfer {hold.TransferId} holds {hold.AmountMinor} {hold.Currency} minor units; {amount} cannot be posted."));
        }

        if (TransferChecks.CheckStatus(from, to) is { } inactive)
        {
            return new HoldRejected(inactive);
        }

        // AccountBounds keeps balance − pending debits and balance + pending credits in range, and the posted
        // amount is part of both pending totals, so these cannot overflow.
        return new HoldAccepted(
            new HoldPosted(hold.TransferId, post.AmountMinor, amount, post.Now),
            [
                ReleaseDebit(from, hold, HoldRelease.Posted, post.Now),
                new AccountDebited(
                    from.Id, hold.TransferId, amount, to.Id, checked(from.BalanceMinor - amount), hold.Reference, post.Now),
                ReleaseCredit(to, hold, HoldRelease.Posted, post.Now),
                new AccountCredited(
                    to.Id, hold.TransferId, amount, from.Id, checked(to.BalanceMinor + amount), hold.Reference, post.Now),
            ]);
    }

    private static HoldAccepted Expire(ExpireHold expire, TransferHold hold, AccountState from, AccountState to)
    {
        if (!IsPastDue(hold, expire.Now))
        {
            throw new ArgumentException(
                $"{expire} comes before {hold.TransferId} is due at {hold.ExpiresAt?.ToString("O") ?? "never"}.", nameof(expire));
        }

        return Release(new HoldExpired(hold.TransferId, expire.Now), hold, from, to, HoldRelease.Expired, expire.Now);
    }

    private static HoldAccepted Release(
        IHoldEvent happened, TransferHold hold, AccountState from, AccountState to, HoldRelease reason, DateTimeOffset at) =>
        new(happened, [ReleaseDebit(from, hold, reason, at), ReleaseCredit(to, hold, reason, at)]);

    private static AccountDebitHoldReleased ReleaseDebit(AccountState from, TransferHold hold, HoldRelease reason, DateTimeOffset at) =>
        new(from.Id, hold.TransferId, hold.AmountMinor, RequireHeld(from, from.PendingDebitsMinor, hold), reason, at);

    private static AccountCreditHoldReleased ReleaseCredit(AccountState to, TransferHold hold, HoldRelease reason, DateTimeOffset at) =>
        new(to.Id, hold.TransferId, hold.AmountMinor, RequireHeld(to, to.PendingCreditsMinor, hold), reason, at);

    // A pending hold is part of its accounts' totals; a smaller total means the accounts and the hold disagree.
    private static long RequireHeld(AccountState account, long pendingMinor, TransferHold hold) =>
        pendingMinor >= hold.AmountMinor
            ? pendingMinor - hold.AmountMinor
            : throw new InvalidOperationException($"{account} holds {pendingMinor}, less than the pending {hold}.");

    private static (AccountState From, AccountState To) RequireAccountsOf(
        IHoldCommand command, TransferHold hold, AccountState? from, AccountState? to)
    {
        if (command.TransferId != hold.TransferId)
        {
            throw new ArgumentException($"{command} was routed to another transfer's hold: {hold}.", nameof(hold));
        }

        if (from is null || from.Id != hold.FromAccountId || to is null || to.Id != hold.ToAccountId)
        {
            throw new ArgumentException(
                $"{command} needs the accounts of {hold}; it was given {from?.ToString() ?? "none"} and {to?.ToString() ?? "none"}.",
                nameof(from));
        }

        return (from, to);
    }
}
