using System.Globalization;
using Ledger.Domain.Holds;
using Ledger.Domain.Transfers;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>
/// A pending transfer: every check of a transfer now, the amount reserved on the debited account and
/// announced on the credited one, and the hold's own stream started under the transfer id.
/// </summary>
public sealed record PlaceHoldWrite(
    Guid Id, byte[] RequestHash, string Actor, TransferFunds Command, int? TimeoutSeconds, IReadOnlyDictionary<string, string>? Metadata)
    : IdempotentWrite(Id, RequestHash, Actor)
{
    // The same route and idempotency space as a one-phase transfer: the request hash tells them apart.
    public override string Operation => "transfer";

    // The transfer id names the hold's stream, so it must not be an account's: loading it finds out.
    public override IEnumerable<Guid> Accounts => [Command.FromAccountId, Command.ToAccountId, Id];

    public override WriteDecision Decide(BatchDecisions decisions)
    {
        if (decisions.StateOf(Id) is not null) return BatchDecisions.Refuse(CommandRecords.Conflict(Id));
        var hold = new PlaceHold(Id, Command.FromAccountId, Command.ToAccountId, Command.AmountMinor, Command.Currency, Command.Reference,
            TimeoutSeconds, decisions.Now);
        return decisions.Hold(PlaceHoldDecider.Decide(hold, decisions.StateOf(hold.FromAccountId), decisions.StateOf(hold.ToAccountId), decisions.Limits), Metadata);
    }

    public override IReadOnlyList<Guid> AuditSubjects => [Id, Command.FromAccountId, Command.ToAccountId];

    public override string Describe()
    {
        var expiry = TimeoutSeconds is { } seconds ? string.Create(CultureInfo.InvariantCulture, $"expiring after {seconds} s") : "without expiry";
        return string.Create(CultureInfo.InvariantCulture,
            $"Held {Command.AmountMinor} {Command.Currency} minor units on {Command.FromAccountId} for {Command.ToAccountId}, {expiry}.");
    }

    public override WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now) =>
        TransferResult.OfHold(decided.HoldAfter!, Metadata, position);
}
