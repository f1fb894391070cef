using System.Globalization;
using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Api.Reads;
using Ledger.Projections;
using Ledger.Projections.History;

namespace Ledger.Api.Accounts;

public sealed record TransactionItem(
    Guid TransferId, string Direction, long Amount, Guid CounterpartyId, long BalanceAfter, string? Reference, DateTimeOffset Timestamp);

public sealed record TransactionPage(IReadOnlyList<TransactionItem> Items, string? NextCursor);

public static class GetTransactions
{
    public static async Task<IResult> Handle(
        string id, string? limit, string? cursor, string? minPosition, LedgerOptions options,
        ReadFreshness freshness, TransactionHistory history, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var accountId, out var problem)) return problem!;
        if (!Paging.TryLimit(limit, options, out var pageSize, out problem)) return problem!;
        var before = long.MaxValue;
        if (!string.IsNullOrEmpty(cursor) && !(long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before) && before > 0))
            return Problems.Validation("cursor", "cursor must be a nextCursor returned by this endpoint.");

        if (await freshness.LastWriteOfAsync(accountId, ct) is null) return Problems.NotFound($"Account {accountId}");
        var waited = await freshness.AwaitAsync(ProjectionNames.Transactions, accountId, minPosition, ct);
        if (waited is not null) return waited;

        // One row more than the page tells whether another page exists, so the last page says null.
        var rows = await history.ReadAsync(accountId, before, pageSize + 1, ct);
        var page = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? page[^1].Version.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new TransactionPage(
            page.Select(r => new TransactionItem(r.TransferId, r.Direction, r.AmountMinor, r.CounterpartyId, r.BalanceAfterMinor, r.Reference, r.Timestamp)).ToList(),
            next));
    }
}
