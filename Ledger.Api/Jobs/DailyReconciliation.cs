using Ledger.Api.Hosting;
using Ledger.Projections.Reconciliation;
using Ledger.Projections.Schema;
using Marten;
using Npgsql;
using Wolverine;
using Wolverine.Marten;

namespace Ledger.Api.Jobs;

/// <summary>The reconciliation due on this UTC day at <c>Ledger:Reconciliation:DailyAtUtc</c>.</summary>
public sealed record RunDailyReconciliation(DateOnly Day);

public static class DailyReconciliationHandler
{
    public static Task Handle(RunDailyReconciliation due, DailyReconciliation daily) => daily.RunAsync(due.Day);
}

/// <summary>
/// The daily reconciliation, once per cluster whatever the number of instances: each day's run is one
/// scheduled Wolverine message, written in the same transaction as that day's row in
/// <c>daily_reconciliations</c>. The row's primary key is the claim: whichever instance schedules a day
/// second fails on it and rolls its message back with it. Each run schedules the next day; every
/// instance offers to schedule the next one at start, so the chain survives a cluster that was down.
/// </summary>
public sealed partial class DailyReconciliation(
    LedgerOptions options, Reconciler reconciler, IServiceScopeFactory scopes, IDocumentStore store, NpgsqlDataSource dataSource,
    LedgerSchema schema, TimeProvider clock, ILogger<DailyReconciliation> logger) : IHostedService
{
    async Task IHostedService.StartAsync(CancellationToken ct)
    {
        if (options.Reconciliation.DailyAtUtc is not { } at) return;
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await ScheduleAsync(DueAt(today, at) > now ? today : today.AddDays(1), at, ct);
    }

    Task IHostedService.StopAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task RunAsync(DateOnly day)
    {
        await using (var claimed = dataSource.CreateCommand(schema.Sql("SELECT report_id IS NULL FROM {schema}.daily_reconciliations WHERE day = $1")))
        {
            claimed.Parameters.Add(new NpgsqlParameter { Value = day });
            if (await claimed.ExecuteScalarAsync() is not true)
            {
                LogAlreadyRan(logger, day);
                return;
            }
        }
        ReconciliationReport report;
        try
        {
            report = await reconciler.RunAsync(null, CancellationToken.None);
        }
        catch (Exception e) when (DatabaseFaults.IsTransient(e))
        {
            throw new JobDeferredException($"the database failed during the daily reconciliation of {day}: {e.Message}");
        }
        catch (Exception e)
        {
            // The day is lost, not the schedule: tomorrow's run is still booked.
            LogFailed(logger, day, e);
            await ScheduleNextAsync(day);
            return;
        }
        // A crash before this line runs the day again on redelivery: one more stored report, never a lost one.
        await using (var done = dataSource.CreateCommand(schema.Sql("UPDATE {schema}.daily_reconciliations SET report_id = $2 WHERE day = $1")))
        {
            done.Parameters.Add(new NpgsqlParameter { Value = day });
            done.Parameters.Add(new NpgsqlParameter { Value = report.Id });
            await done.ExecuteNonQueryAsync();
        }
        LogReport(logger, day, report.Id, report.Balanced, report.Mismatches.Count, report.EventsReplayed);
        await ScheduleNextAsync(day);
    }

    private async Task ScheduleNextAsync(DateOnly day)
    {
        if (options.Reconciliation.DailyAtUtc is { } at) await ScheduleAsync(day.AddDays(1), at, CancellationToken.None);
    }

    private async Task ScheduleAsync(DateOnly day, TimeOnly at, CancellationToken ct)
    {
        // Asking first leaves the primary key to settle true races only: Marten logs every failed statement as an error.
        await using (var booked = dataSource.CreateCommand(schema.Sql("SELECT EXISTS (SELECT 1 FROM {schema}.daily_reconciliations WHERE day = $1)")))
        {
            booked.Parameters.Add(new NpgsqlParameter { Value = day });
            if (await booked.ExecuteScalarAsync(ct) is true) return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        await using var session = store.LightweightSession();
        outbox.Enroll(session);
        session.QueueSqlCommand(schema.Sql("INSERT INTO {schema}.daily_reconciliations (day, due_at) VALUES (?, ?)"), day, DueAt(day, at));
        await outbox.ScheduleAsync(new RunDailyReconciliation(day), DueAt(day, at));
        try
        {
            await session.SaveChangesAsync(ct);
            LogScheduled(logger, day, DueAt(day, at));
        }
        catch (Exception e) when (DatabaseFaults.IsUniqueViolation(e, "daily_reconciliations_pkey"))
        {
            // Another instance (or an earlier start) scheduled this day already.
        }
    }

    private static DateTimeOffset DueAt(DateOnly day, TimeOnly at) => new(day, at, TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily reconciliation of {Day} scheduled at {DueAt}")]
    private static partial void LogScheduled(ILogger logger, DateOnly day, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily reconciliation of {Day} was delivered again after it ran: nothing to do")]
    private static partial void LogAlreadyRan(ILogger logger, DateOnly day);

    [LoggerMessage(Level = LogLevel.Error, Message = "Daily reconciliation of {Day} failed")]
    private static partial void LogFailed(ILogger logger, DateOnly day, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily reconciliation of {Day} ({ReportId}): balanced={Balanced}, mismatches={Mismatches}, events={Events}")]
    private static partial void LogReport(ILogger logger, DateOnly day, Guid reportId, bool balanced, int mismatches, long events);
}
