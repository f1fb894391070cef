using Ledger.Api.Http;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using Ledger.Projections.Holds;

namespace Ledger.Api.Accounts;

/// <summary>An account's open holds: what its pendingDebits and pendingCredits are made of.</summary>
public sealed record HoldList(IReadOnlyList<TransferResponse> Items);

public static class GetOpenHolds
{
    /// <remarks>Read from the holds table the write path keeps in its own transaction, so a hold shows as soon as its 201 was sent.</remarks>
    public static async Task<IResult> Handle(string id, string? limit, Npgsql.NpgsqlDataSource dataSource, HoldTable holds,
        Hosting.LedgerOptions options, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var accountId, out var problem)) return problem!;
        if (!Reads.Paging.TryLimit(limit, options, out var count, out problem)) return problem!;
        var open = await holds.OpenForAccountAsync(dataSource, accountId, count, ct);
        return TypedResults.Ok(new HoldList(open.Select(h => TransferResponse.From(TransferResult.OfHold(h.State, h.Metadata, h.LastAt))).ToList()));
    }
}
