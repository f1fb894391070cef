using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// Runs one projection in this process: stands by until it holds the projection's leadership lock, then
/// applies batches until it stops, faults, or loses the lock. Every process runs one runner per
/// projection; the lock makes sure only one of them applies batches at any time.
/// </summary>
internal sealed partial class ProjectionRunner(
    EventStore store, IAsyncProjection projection, ProjectionDaemonOptions options, ProgressTable progress, ILogger logger)
{
    private enum LeadEnd { Stopped, Faulted, Declined, Lost }

    private readonly WakeSignal _wake = new();
    private readonly long _key = Leadership.KeyFor(store.Schema, projection.Name);
    private int _transientFailures;
    private bool _faultedHere;
    private volatile bool _leading;

    public string Name => projection.Name;
    public bool IsLeading => _leading;

    /// <summary>Something may have been committed: look now instead of at the next poll.</summary>
    public void Wake() => _wake.Set();

    /// <summary>
    /// Runs until <paramref name="stopping"/> (finishing the batch in flight) or until the projection faults here.
    /// <paramref name="abort"/> cancels the batch in flight too; it is rolled back.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        try
        {
            // What the row said when this process started decides which fault a restart retries (see LeadAsync).
            var seenAtStart = await ReadRowAsStandbyAsync(stopping);
            while (!stopping.IsCancellationRequested && !_faultedHere)
            {
                var leadership = await TryAcquireAsync(stopping);
                if (leadership is null) continue;
                LeadEnd end;
                await using (leadership)
                    end = await LeadAsync(leadership, seenAtStart, stopping, abort);
                if (end == LeadEnd.Faulted) _faultedHere = true;
                else if (end == LeadEnd.Declined) await PauseAsync(options.LeadershipRetryInterval, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Graceful stop while standing by or backing off.
        }
    }

    private async Task<ProgressRow?> ReadRowAsStandbyAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                return await progress.ReadAsync(Name, null, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.StandbyFailed(Name, e);
                await PauseAsync(options.LeadershipRetryInterval, stopping);
            }
        }
    }

    /// <summary>The lock, or null after a pause when another process leads or the database is unreachable.</summary>
    private async Task<Leadership?> TryAcquireAsync(CancellationToken stopping)
    {
        try
        {
            var leadership = await Leadership.TryAcquireAsync(store.DataSource, _key, stopping);
            if (leadership is not null) return leadership;
            _transientFailures = 0; // someone else leads: our retries are no longer the projection's only hope
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is out of reach. That is an outage, not a fault of the projection: nothing can be
            // applied or lost meanwhile, so keep standing by at the usual pace and resume by ourselves when
            // it returns. The transient budget is for batches failing while the database answers.
            _transientFailures = 0;
            logger.StandbyFailed(Name, e);
        }
        await PauseAsync(options.LeadershipRetryInterval, stopping);
        return null;
    }

    private async Task<LeadEnd> LeadAsync(Leadership leadership, ProgressRow? seenAtStart, CancellationToken stopping, CancellationToken abort)
    {
        var connection = leadership.Connection;
        try
        {
            await progress.EnsureAsync(Name, connection, abort);
            var row = (await progress.ReadAsync(Name, connection, abort))!;
            // A restart is the operator's retry: a fault already there when this process started is retried
            // once; a fault recorded since (by another process, or by us) is not, or every standby in turn
            // would take over and fail on the same event.
            if (row.Status == ProjectionStatuses.Faulted && row != seenAtStart)
            {
                logger.FaultedElsewhere(Name);
                return LeadEnd.Declined;
            }
            await progress.MarkRunningAsync(Name, connection, abort);
            _leading = true;
            logger.LeadershipTaken(Name, row.Position);
            var end = await RunBatchesAsync(leadership, stopping, abort);
            logger.LeadershipReleased(Name, end.ToString());
            return end;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || abort.IsCancellationRequested)
        {
            if (!abort.IsCancellationRequested && leadership.IsAlive)
                await RecordAsync(() => progress.MarkStoppedAsync(Name, connection, abort));
            logger.LeadershipReleased(Name, nameof(LeadEnd.Stopped));
            return LeadEnd.Stopped;
        }
        catch (Exception e) when (options.IsTransientOn(e, connection))
        {
            // Failed while taking over, before any batch: retry like a failed batch.
            if (await BackOffAsync(e, stopping)) return LeadEnd.Lost;
            await FaultAsync(connection, null, e, abort);
            return LeadEnd.Faulted;
        }
        finally
        {
            _leading = false;
        }
    }

    /// <summary>Counts a transient failure and waits before the retry; false when the budget is spent.</summary>
    private async Task<bool> BackOffAsync(Exception error, CancellationToken stopping)
    {
        _transientFailures++;
        if (_transientFailures > options.TransientRetriesMax) return false;
        var delay = options.RetryDelay(_transientFailures);
        logger.TransientFailure(Name, _transientFailures, options.TransientRetriesMax, delay, error);
        await Task.Delay(delay, stopping);
        return true;
    }

    private async Task RecordAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.StateNotRecorded(Name, e);
        }
    }

    private Task PauseAsync(TimeSpan delay, CancellationToken stopping) => Task.Delay(delay, stopping);
}
