using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Api.Reads;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Ledger.Projections;

namespace Ledger.Api.Accounts;

public sealed record AccountPage(IReadOnlyList<AccountResponse> Items, string? NextCursor);

public static class ListAccounts
{
    public static async Task<IResult> Handle(
        string? currency, string? limit, string? cursor, LedgerOptions options, ReadFreshness freshness, AccountViews views, CancellationToken ct)
    {
        if (!Paging.TryLimit(limit, options, out var pageSize, out var problem)) return problem!;
        // An empty parameter ("?currency=&cursor=") means the parameter is absent.
        if (currency is "") currency = null;
        if (cursor is "") cursor = null;
        if (currency is not null && !options.Currencies.Contains(currency, StringComparer.Ordinal))
            return Problems.Validation("currency", $"currency must be one of {string.Join(", ", options.Currencies)}.");
        var after = LogPosition.Start;
        if (cursor is not null && !LogPosition.TryParse(cursor, out after))
            return Problems.Validation("cursor", "cursor must be a nextCursor returned by this endpoint.");

        await freshness.AwaitAsync(ProjectionNames.Balances, accountId: null, minPosition: null, ct);
        // One row more than the page tells whether another page exists, so the last page says null.
        var rows = await views.ListAsync(currency, after, pageSize + 1, ct);
        var page = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? page[^1].OpenedAt.ToString() : null;
        return TypedResults.Ok(new AccountPage(page.Select(AccountResponse.From).ToList(), next));
    }
}
