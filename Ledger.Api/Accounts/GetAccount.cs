using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Api.Reads;
using Ledger.Domain.Accounts;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Ledger.Projections;

namespace Ledger.Api.Accounts;

public sealed record BalanceResponse(
    Guid AccountId, string Currency, long Balance, long Version, DateTimeOffset AsOf, string Position, long AvailableBalance, long PendingDebits, long PendingCredits)
{
    public static BalanceResponse Of(AccountState s, DateTimeOffset asOf, string position) => new(
        s.Id, s.Currency, s.BalanceMinor, s.Version, asOf, position, s.AvailableBalanceMinor, s.PendingDebitsMinor, s.PendingCreditsMinor);
}

public static class GetAccount
{
    public static async Task<IResult> Account(
        string id, string? minPosition, ReadFreshness freshness, AccountViews views, CancellationToken ct)
    {
        var (row, problem) = await ReadAsync(id, minPosition, freshness, views, ct);
        return problem ?? TypedResults.Ok(AccountResponse.From(row!));
    }

    public static async Task<IResult> Balance(
        string id, string? minPosition, string? asOf, ReadFreshness freshness, AccountViews views, Marten.IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(asOf)) return await BalanceAsOf(id, asOf, store, ct);
        var (row, problem) = await ReadAsync(id, minPosition, freshness, views, ct);
        if (problem is not null) return problem;
        var s = row!.State;
        return TypedResults.Ok(BalanceResponse.Of(s, ToMicroseconds(clock.GetUtcNow()), row.LastAt.ToString()));
    }

    /// <summary>Time travel: Marten folds the account's own events up to the instant the ledger stamped on them.</summary>
    private static async Task<IResult> BalanceAsOf(string id, string asOf, Marten.IDocumentStore store, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var accountId, out var problem)) return problem!;
        // An unescaped '+' of an offset ("...T10:15:30+01:00") arrives as a space after query decoding.
        if (!Instants.TryParse(asOf, out var instant) && !Instants.TryParse(asOf.Trim().Replace(' ', '+'), out instant))
            return Problems.Validation("asOf", "asOf must be an ISO-8601 instant, e.g. 2026-11-22T10:15:30Z.");
        instant = ToMicroseconds(instant);
        await using var session = store.QuerySession();
        if (await session.Events.AggregateStreamAsync<AccountAtInstant>(accountId, timestamp: instant, token: ct) is not { } then)
            return Problems.NotFound($"Account {accountId} at {instant:O}");
        return TypedResults.Ok(BalanceResponse.Of(then.State, instant, new LogPosition(then.Position).ToString()));
    }

    /// <summary>PostgreSQL keeps microseconds; answering with the same precision keeps every timestamp comparable.</summary>
    private static DateTimeOffset ToMicroseconds(DateTimeOffset instant) => instant.AddTicks(-(instant.Ticks % 10));

    /// <summary>
    /// One statement when the view has the account's last write (the usual case). Otherwise it waits for
    /// the view a moment (see <see cref="ReadFreshness"/>), then answers from the view as it is.
    /// </summary>
    private static async Task<(Projections.Accounts.AccountRow? Row, IResult? Problem)> ReadAsync(
        string id, string? minPosition, ReadFreshness freshness, AccountViews views, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var accountId, out var problem)) return (null, problem);
        if (!string.IsNullOrEmpty(minPosition) && await freshness.AwaitAsync(ProjectionNames.Balances, accountId, minPosition, ct) is { } refused)
            return (null, refused);
        var found = await views.FindBesideLastWriteAsync(accountId, ct);
        if (found is { Row: { } fresh, LastWrite: var last } && (fresh.LastAt >= last || !string.IsNullOrEmpty(minPosition))) return (fresh, null);
        if (found is null) return (null, Problems.NotFound($"Account {accountId}"));
        if (string.IsNullOrEmpty(minPosition))
        {
            await freshness.CatchUpAsync(ProjectionNames.Balances, found.Value.LastWrite, ct);
            found = await views.FindBesideLastWriteAsync(accountId, ct);
        }
        // The write side knows the account but the view has not caught up: say so rather than deny it exists.
        return found is { Row: { } row }
            ? (row, null)
            : (null, Problems.Unavailable($"Account {accountId} is not in the balances view yet; retry shortly."));
    }
}
