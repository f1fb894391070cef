using System.Globalization;
using Ledger.Domain.Holds;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>
/// Post, void or expire a hold, decided against the hold's own stream: racing commands on one hold
/// append to that one stream at the version they read, so exactly one wins. <paramref name="FromAccountId"/>
/// and <paramref name="ToAccountId"/> are the hold's (read before submitting; a hold's accounts never change).
/// </summary>
public sealed record HoldCommandWrite(string Actor, IHoldCommand Command, Guid FromAccountId, Guid ToAccountId) : DecidedWrite(Actor)
{
    public override string Operation => Command switch
    {
        PostHold => "transfer.post",
        VoidHold => "transfer.void",
        ExpireHold => "transfer.expire",
        _ => throw new ArgumentOutOfRangeException(nameof(Command), Command.GetType().Name, null),
    };

    public override IEnumerable<Guid> Accounts => [FromAccountId, ToAccountId];

    public override IEnumerable<Guid> Holds => [Command.TransferId];

    public override WriteDecision Decide(BatchDecisions decisions)
    {
        var hold = decisions.HoldOf(Command.TransferId);
        if (hold is null) return BatchDecisions.Refuse(new Refused("not_found", $"Transfer {Command.TransferId} was not found."));
        // The expiry handler waits for expiresAt on this clock; an instance whose clock runs behind leaves the hold as it is.
        if (Command is ExpireHold && hold is { Status: HoldStatus.Pending, ExpiresAt: { } due } && due > decisions.Now)
            return decisions.Hold(new HoldUnchanged(hold));
        IHoldCommand command = Command switch
        {
            PostHold c => c with { Now = decisions.Now },
            VoidHold c => c with { Now = decisions.Now },
            ExpireHold c => c with { Now = decisions.Now },
            _ => throw new ArgumentOutOfRangeException(nameof(decisions), Command.GetType().Name, null),
        };
        return decisions.Hold(TransferHoldDecider.Decide(command, hold, decisions.StateOf(FromAccountId), decisions.StateOf(ToAccountId)));
    }

    public override IReadOnlyList<Guid> AuditSubjects => [Command.TransferId, FromAccountId, ToAccountId];

    public override string Describe() => Command switch
    {
        PostHold { AmountMinor: { } amount } => string.Create(CultureInfo.InvariantCulture, $"Post {amount} minor units of transfer {Command.TransferId}."),
        PostHold => $"Post all of transfer {Command.TransferId}.",
        VoidHold => $"Void transfer {Command.TransferId}.",
        _ => $"Expire transfer {Command.TransferId}.",
    };

    public override WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now) =>
        TransferResult.OfHold(decided.HoldAfter!, decided.HoldMetadata, position);
}
