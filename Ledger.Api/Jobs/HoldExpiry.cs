using Ledger.Api.Writes;
using Ledger.Domain.Holds;
using Ledger.Projections.Holds;
using Npgsql;

namespace Ledger.Api.Jobs;

/// <summary>
/// Releases holds at their <c>expiresAt</c>. The primary path is the <see cref="HoldDue"/> message each hold
/// with a timeout schedules in the transaction that places it: durable in Wolverine's inbox, run by one
/// instance, taken over by another when that one dies. The sweep at start-up is the fallback for holds
/// already past due whose message cannot have fired: a cluster that was down at the due time runs it only
/// once it is back, and a schema written before expiries were messages has none. Expiring twice is
/// harmless: the hold's own stream lets one expiry through and answers any other as unchanged.
/// </summary>
public sealed partial class HoldExpiry(
    HoldTable holds, NpgsqlDataSource dataSource, WritePipeline pipeline, TimeProvider clock, ILogger<HoldExpiry> logger) : BackgroundService
{
    /// <summary>The actor audit entries name for expiries: the ledger itself, not a key.</summary>
    public const string Actor = "ledger-expiry";

    private const int SweepPage = 1000;

    public async Task ExpireAsync(HoldDue due)
    {
        // This instance's clock may lag the one that scheduled the message: wait for expiresAt here.
        if (due.ExpiresAt > clock.GetUtcNow()) throw new JobDeferredException($"transfer {due.TransferId} is not due yet on this clock");
        if (await holds.FindAsync(dataSource, due.TransferId, CancellationToken.None) is not { State.Status: HoldStatus.Pending } hold) return;
        var outcome = await pipeline.SubmitAsync(new HoldCommandWrite(Actor, new ExpireHold(due.TransferId, default), hold.State.FromAccountId, hold.State.ToAccountId));
        switch (outcome)
        {
            case Unavailable unavailable:
                throw new JobDeferredException($"the expiry of transfer {due.TransferId} could not be written: {unavailable.Detail}");
            case Refused refused:
                LogRefused(logger, due.TransferId, refused.Code, refused.Detail);
                break;
            default:
                LogExpired(logger, due.TransferId, due.ExpiresAt);
                break;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var swept = 0;
            IReadOnlyList<Guid> due;
            do
            {
                due = await holds.DueAsync(dataSource, clock.GetUtcNow(), SweepPage, stoppingToken);
                var expiresAt = clock.GetUtcNow();
                await Task.WhenAll(due.Select(id => ExpireAsync(new HoldDue(id, expiresAt))));
                swept += due.Count;
            } while (due.Count == SweepPage && !stoppingToken.IsCancellationRequested);
            if (swept > 0) LogSwept(logger, swept);
        }
        catch (Exception e) when (e is JobDeferredException || Hosting.DatabaseFaults.IsDatabase(e))
        {
            // Their messages are still scheduled; the next start sweeps again.
            LogSweepFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer {TransferId} expired (due at {ExpiresAt})")]
    private static partial void LogExpired(ILogger logger, Guid transferId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The expiry of transfer {TransferId} was refused: {Code} ({Detail})")]
    private static partial void LogRefused(ILogger logger, Guid transferId, string code, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up sweep expired {Count} holds already past due")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Start-up sweep of past-due holds stopped; their scheduled expiries still run")]
    private static partial void LogSweepFailed(ILogger logger, Exception error);
}
