using System.Diagnostics;
using System.Threading.Channels;
using Ledger.Api.Hosting;
using Ledger.Api.Observability;

namespace Ledger.Api.Writes;

/// <summary>
/// A bounded queue in front of one committer. The committer takes whatever is waiting, up to
/// <c>BatchSizeMax</c>, and commits it as one transaction: under light load a batch is one write (latency
/// is one commit), under heavy load batches grow (throughput). A full queue answers at once. Callers get
/// their outcome only after the commit. Stopping drains what is queued.
/// </summary>
public sealed partial class WritePipeline(LedgerWriter writer, LedgerOptions options, TimeProvider clock, RecentStats stats, ILogger<WritePipeline> logger)
    : BackgroundService
{
    private sealed record Pending(LedgerWrite Write, TaskCompletionSource<WriteOutcome> Outcome, long EnqueuedAt);

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Writes.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public int QueueDepth => _queue.Reader.Count;

    public Task<WriteOutcome> SubmitAsync(LedgerWrite write)
    {
        var pending = new Pending(write, new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously),
            Stopwatch.GetTimestamp());
        return _queue.Writer.TryWrite(pending)
            ? pending.Outcome.Task
            : Task.FromResult<WriteOutcome>(new Unavailable("The write queue is full; retry shortly."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping completes the queue instead of cancelling the loop, so every accepted write is still committed.
        await using var registration = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var batch = new List<Pending>(options.Writes.BatchSizeMax);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Bounded by decisions, not requests: one 8190-transfer batch fills a transaction on its own.
            var weight = 0;
            while (weight < options.Writes.BatchSizeMax && _queue.Reader.TryPeek(out var next)
                   && (batch.Count == 0 || weight + next.Write.Weight <= options.Writes.BatchSizeMax)
                   && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                weight += pending.Write.Weight;
            }
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        using var activity = LedgerTelemetry.Source.StartActivity("ledger.write.batch");
        var weight = batch.Sum(p => p.Write.Weight);
        activity?.SetTag("ledger.batch.writes", batch.Count);
        activity?.SetTag("ledger.batch.decisions", weight);
        LedgerTelemetry.BatchSize.Record(weight);
        try
        {
            // PostgreSQL keeps microseconds; stamping with that precision makes a 201 body equal to every later read.
            var now = clock.GetUtcNow();
            now = now.AddTicks(-(now.Ticks % 10));
            var outcomes = await writer.ExecuteAsync(batch.Select(p => p.Write).ToList(), now, CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                var durationMs = Stopwatch.GetElapsedTime(batch[i].EnqueuedAt).TotalMilliseconds;
                LedgerTelemetry.WriteDurationMs.Record(durationMs);
                stats.WriteLatency(durationMs);
                batch[i].Outcome.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The transaction rolled back as a whole: nothing of this batch exists, so every caller may retry.
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogBatchFailed(logger, batch.Count, e);
            foreach (var pending in batch) pending.Outcome.TrySetResult(new Unavailable("The ledger could not commit; nothing was written. Retry shortly."));
        }
        catch (Exception e) when (batch.Count > 1)
        {
            // Something in one write is wrong, not the database: commit the writes one by one, so only
            // the culprit fails and its neighbours are not punished for sharing its transaction.
            LogIsolating(logger, batch.Count, e);
            foreach (var pending in batch) await CommitAsync([pending]);
        }
        catch (Exception e)
        {
            LogBatchBug(logger, batch.Count, e);
            batch[0].Outcome.TrySetException(e);
        }
    }

    /// <remarks>A stream that moved under us (another process wrote it) is as retryable as a lost connection.</remarks>
    private static bool IsTransient(Exception e) =>
        e is JasperFx.Events.EventStreamUnexpectedMaxEventIdException || DatabaseFaults.IsTransient(e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A write batch of {Count} failed and was rolled back")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A write batch of {Count} failed without a database fault; retrying its writes one by one")]
    private static partial void LogIsolating(ILogger logger, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A write ({Count}) failed on its own and was rolled back")]
    private static partial void LogBatchBug(ILogger logger, int count, Exception error);
}
