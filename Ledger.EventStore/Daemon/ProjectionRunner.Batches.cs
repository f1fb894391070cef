using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.EventStore.Daemon;

internal sealed partial class ProjectionRunner
{
    /// <summary>What one batch did. <see cref="Events"/> is null when reading them failed.</summary>
    private sealed record BatchResult(
        LogPosition From, IReadOnlyList<RecordedEvent>? Events, Exception? Error = null, bool Conflict = false, bool Blocked = false)
    {
        public LogPosition To => Events is [.., var last] && Error is null && !Conflict ? last.Position : From;
    }

    // After a failed batch, runs one event per transaction up to here, so the good events before the
    // failing one commit and the failing one is named exactly.
    private LogPosition? _isolateUntil;

    private async Task<LeadEnd> RunBatchesAsync(Leadership leadership, CancellationToken stopping, CancellationToken abort)
    {
        var connection = leadership.Connection;
        var blockedDelay = options.BlockedRecheckInterval;
        while (!stopping.IsCancellationRequested)
        {
            var limit = _isolateUntil is null ? options.BatchSize : 1;
            var batch = await ApplyBatchAsync(connection, limit, abort);
            if (batch.Error is { } error)
            {
                var first = batch.Events is [var head, ..] ? head.Position : (LogPosition?)null;
                if (options.IsTransientOn(error, connection))
                {
                    if (!await BackOffAsync(error, stopping)) return await FaultAsync(connection, first, error, abort);
                    if (!leadership.IsAlive) return LeadEnd.Lost; // the lock went with the session; take it again
                    continue;
                }
                // Several events could be to blame (or reading them failed): find the one, committing those before it.
                if (batch.Events is null ? limit > 1 : batch.Events.Count > 1)
                {
                    logger.IsolatingFailure(Name, batch.Events?.Count ?? limit, batch.From, error);
                    _isolateUntil = batch.Events is [.., var last] ? last.Position : await store.ReadHeadAsync(abort);
                    continue;
                }
                return await FaultAsync(connection, first ?? await FirstEventAfterAsync(batch.From, connection, abort), error, abort);
            }
            if (batch.Conflict)
            {
                logger.CheckpointMovedElsewhere(Name);
                return LeadEnd.Lost;
            }

            _transientFailures = 0;
            var count = batch.Events!.Count;
            if (count > 0) logger.BatchApplied(Name, count, batch.To);
            if (_isolateUntil is { } until && batch.To >= until) _isolateUntil = null;
            if (count == limit) continue; // more may be readable right now

            // Blocked: committed events wait behind an older open transaction. Recheck soon, backing off while
            // nothing new becomes readable; the commit that unblocks us usually notifies and wakes us anyway.
            TimeSpan wait;
            if (batch.Blocked)
            {
                if (count > 0) blockedDelay = options.BlockedRecheckInterval;
                wait = blockedDelay;
                blockedDelay = TimeSpan.FromTicks(Math.Min(blockedDelay.Ticks * 2, options.PollInterval.Ticks));
            }
            else
            {
                blockedDelay = options.BlockedRecheckInterval;
                wait = options.PollInterval;
            }
            await _wake.WaitAsync(wait, stopping);
        }
        throw new OperationCanceledException(stopping);
    }

    /// <summary>
    /// One transaction: read the checkpoint, read and apply what follows it, move the checkpoint only if it
    /// is still where we read it, commit. The view and the checkpoint change together or not at all.
    /// </summary>
    private async Task<BatchResult> ApplyBatchAsync(NpgsqlConnection connection, int limit, CancellationToken abort)
    {
        var from = LogPosition.Start;
        IReadOnlyList<RecordedEvent>? events = null;
        try
        {
            await using var tx = await connection.BeginTransactionAsync(abort);
            // Nothing in this transaction writes before the read below, so it has no transaction id yet and
            // cannot hold back its own horizon.
            var row = await progress.ReadAsync(Name, connection, abort);
            if (row is null) return new BatchResult(from, [], Conflict: true);
            from = row.Position;
            events = await store.ReadCommittedAfterAsync(from, limit, connection, abort);
            if (events.Count > 0)
            {
                using var activity = DaemonTelemetry.Source.StartActivity("projection.batch");
                activity?.SetTag("projection", Name);
                activity?.SetTag("projection.events", events.Count);
                await projection.ApplyAsync(connection, tx, events, abort);
                if (!await progress.AdvanceAsync(Name, from, events[^1].Position, events[^1].Timestamp, connection, abort))
                {
                    await tx.RollbackAsync(abort);
                    return new BatchResult(from, events, Conflict: true);
                }
            }
            await tx.CommitAsync(abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Disposing the transaction above rolled the batch back; the caller decides between retry and fault.
            return new BatchResult(from, events, e);
        }
        var result = new BatchResult(from, events);
        return events.Count < limit ? result with { Blocked = await IsBlockedAsync(result.To, connection, abort) } : result;
    }

    /// <summary>True when committed events exist past what we could read: an older transaction holds the horizon.</summary>
    private async Task<bool> IsBlockedAsync(LogPosition after, NpgsqlConnection connection, CancellationToken abort)
    {
        try
        {
            return await progress.FirstEventAfterAsync(after, connection, abort) is not null;
        }
        catch (NpgsqlException)
        {
            return false; // only a hint; the next batch meets a broken connection and handles it
        }
    }

    /// <summary>Names the failing event when reading it (not applying it) is what failed.</summary>
    private async Task<LogPosition?> FirstEventAfterAsync(LogPosition after, NpgsqlConnection connection, CancellationToken abort)
    {
        try
        {
            return await progress.FirstEventAfterAsync(after, connection, abort);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private async Task<LeadEnd> FaultAsync(NpgsqlConnection connection, LogPosition? at, Exception error, CancellationToken abort)
    {
        logger.ProjectionFaulted(Name, at, error);
        await RecordAsync(() => progress.MarkFaultedAsync(Name, $"{error.GetType().FullName}: {error.Message}", at, connection, abort));
        return LeadEnd.Faulted;
    }
}
