using Ledger.Api.Hosting;
using Ledger.Projections.Reconciliation;

namespace Ledger.Api.Admin;

/// <summary>
/// Runs a reconciliation once a day at <c>Ledger:Reconciliation:DailyAtUtc</c> (off when unset). Every
/// instance schedules it; the reports are stored, so a duplicate run costs time, never correctness.
/// </summary>
public sealed partial class ScheduledReconciliation(LedgerOptions options, Reconciler reconciler, TimeProvider clock, ILogger<ScheduledReconciliation> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Reconciliation.DailyAtUtc is not { } at) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime), at, TimeSpan.Zero);
            if (next <= now) next = next.AddDays(1);
            await Task.Delay(next - now, clock, stoppingToken);
            try
            {
                var report = await reconciler.RunAsync(null, stoppingToken);
                LogReport(logger, report.Id, report.Balanced, report.Mismatches.Count, report.EventsReplayed);
            }
            catch (Exception e) when (Hosting.DatabaseFaults.IsDatabase(e))
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily reconciliation {ReportId}: balanced={Balanced}, mismatches={Mismatches}, events={Events}")]
    private static partial void LogReport(ILogger logger, Guid reportId, bool balanced, int mismatches, long events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Daily reconciliation failed")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
