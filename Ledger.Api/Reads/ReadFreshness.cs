using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Ledger.Projections.Accounts;
using Npgsql;

namespace Ledger.Api.Reads;

/// <summary>
/// How fresh a read-side answer must be. With <c>minPosition</c> the caller names the point (wait up to
/// 5 s, else 503). Without it, the read waits briefly for the view to reach the account's own last
/// write, so a client that just wrote sees its write without having to ask; after that bound it answers
/// from the view as it is.
/// </summary>
public sealed class ReadFreshness(NpgsqlDataSource dataSource, LedgerSchema schema, ProjectionProgress waiter, LedgerOptions options)
{
    private readonly AccountStateTable _snapshots = AccountStateTable.Snapshots(schema);

    /// <summary>Waits for the projection; returns a problem (400 or 503) when the caller's demand cannot be met.</summary>
    public async Task<IResult?> AwaitAsync(string projection, Guid? accountId, string? minPosition, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(minPosition))
        {
            if (!LogPosition.TryParse(minPosition, out var demanded))
                return Problems.Validation("minPosition", "minPosition must be a position returned by a write.");
            return await waiter.WaitForAsync(projection, demanded, TimeSpan.FromMilliseconds(options.Reads.MinPositionWaitMs), ct)
                ? null
                : Problems.Unavailable($"The {projection} view has not reached position {minPosition} yet.");
        }

        var target = accountId is { } id ? await LastWriteOfAsync(id, ct) : await waiter.HeadAsync(ct);
        if (target is { } position) await CatchUpAsync(projection, position, ct);
        return null;
    }

    /// <summary>Waits at most the catch-up bound for the projection to pass the position; the caller then reads the view as it is.</summary>
    public async Task CatchUpAsync(string projection, LogPosition position, CancellationToken ct)
    {
        if (position > LogPosition.Start)
            await waiter.WaitForAsync(projection, position, TimeSpan.FromMilliseconds(options.Reads.CatchUpWaitMs), ct);
    }

    /// <summary>The position of the account's last committed event, from the write side; null if it does not exist.</summary>
    public async Task<LogPosition?> LastWriteOfAsync(Guid accountId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await _snapshots.LoadAsync(connection, null, [accountId], lockRows: false, ct);
        return rows.TryGetValue(accountId, out var row) ? row.LastAt : null;
    }
}
