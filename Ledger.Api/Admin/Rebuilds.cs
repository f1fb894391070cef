using Ledger.Api.Http;
using Ledger.Api.Jobs;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Marten;
using Wolverine.Marten;

namespace Ledger.Api.Admin;

/// <summary>
/// Projection rebuilds as durable jobs: accepting one writes its job row and its Wolverine message in one
/// transaction, so a job that was answered 202 runs even if this instance dies the next instant (another
/// instance, or this one restarted, takes the message). At most one job per projection is running: a
/// second is 409, by the jobs table's unique index and by the rebuild lock a CLI rebuild holds.
/// </summary>
public sealed partial class Rebuilds(
    IEnumerable<IRebuildableProjection> projections, ProjectionRebuilder rebuilder, Jobs jobs, IDocumentStore store, LedgerSchema schema,
    TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<Rebuilds> logger)
{
    private const string KindPrefix = "rebuild:";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public IRebuildableProjection? Find(string name) =>
        projections.FirstOrDefault(p => p.Name == name);

    public IReadOnlyList<IRebuildableProjection> All => projections.ToList();

    public static async Task<IResult> Post(string name, Rebuilds rebuilds, IMartenOutbox outbox, CancellationToken ct)
    {
        if (rebuilds.Find(name) is not { } projection)
            return Problems.NotFound($"Rebuildable projection '{name}' (audit is written with the events and has nothing derived to rebuild)");
        var jobId = await rebuilds.AcceptAsync(projection, outbox, ct);
        return jobId is null
            ? Problems.Of(StatusCodes.Status409Conflict, "rebuild_running", $"A rebuild of {name} is already running.")
            : TypedResults.Accepted($"/admin/jobs/{jobId}", new { jobId });
    }

    public static async Task<IResult> GetJob(string id, Jobs jobs, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var jobId, out var problem)) return problem!;
        return await jobs.FindAsync(jobId, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"Job {jobId}");
    }

    private async Task<Guid?> AcceptAsync(IRebuildableProjection projection, IMartenOutbox outbox, CancellationToken ct)
    {
        // A rebuild from the CLI holds the lock without a job row. Asking first keeps the unique index for
        // true races: Marten logs every failed statement as an error.
        var kind = KindPrefix + projection.Name;
        if (await rebuilder.IsRunningAnywhereAsync(projection.Name, ct) || await jobs.AnyRunningAsync(kind, ct)) return null;
        var jobId = Guid.CreateVersion7(clock.GetUtcNow());
        await using var session = store.LightweightSession();
        outbox.Enroll(session);
        session.QueueSqlCommand(schema.Sql("INSERT INTO {schema}.jobs (id, kind, status, started_at) VALUES (?, ?, 'running', ?)"),
            jobId, kind, clock.GetUtcNow().ToUniversalTime());
        await outbox.PublishAsync(new RebuildProjection(jobId, projection.Name));
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (Hosting.DatabaseFaults.IsUniqueViolation(e, "jobs_one_running"))
        {
            return null;
        }
        LogAccepted(logger, projection.Name, jobId);
        return jobId;
    }

    /// <summary>
    /// Runs an accepted job. Runs again after a crash or a redelivery are harmless: a job no longer
    /// running is left alone, and a rebuild that died never swapped, so its work is simply redone.
    /// </summary>
    public async Task RunAsync(RebuildProjection job)
    {
        // The host's stopping token, not the handler's: Wolverine's execution timeout must not cut a long
        // rebuild short, while a stopping host hands the job back (deferred) to run again elsewhere.
        var stopping = lifetime.ApplicationStopping;
        if (await jobs.FindAsync(job.JobId, stopping) is not { Status: "running" })
        {
            LogAlreadyEnded(logger, job.JobId);
            return;
        }
        if (Find(job.Projection) is not { } projection)
        {
            await jobs.FinishAsync(job.JobId, $"no rebuildable projection named {job.Projection}", clock.GetUtcNow(), stopping);
            return;
        }
        await using var rebuild = await rebuilder.TryStartAsync(projection, stopping)
                                  ?? throw new JobDeferredException($"a rebuild of {projection.Name} is running outside the jobs (the CLI)");
        var latest = new LatestProgress();
        string? error = null;
        using (var done = new CancellationTokenSource())
        {
            var reporter = ReportAsync(job.JobId, latest, done.Token);
            try
            {
                await rebuild.RunAsync(latest, stopping);
                LogRebuilt(logger, projection.Name, job.JobId);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                await done.CancelAsync();
                await reporter;
                throw new JobDeferredException("the host stopped during the rebuild");
            }
            catch (Exception e)
            {
                error = $"{e.GetType().Name}: {e.Message}";
                LogRebuildFailed(logger, projection.Name, job.JobId, e);
            }
            await done.CancelAsync();
            await reporter;
        }
        // The lock is still held here: the row says how the job ended before anyone else may start one.
        var final = latest.Value;
        await jobs.ProgressAsync(job.JobId, final.ProcessedEvents, final.TotalEvents, CancellationToken.None);
        await jobs.FinishAsync(job.JobId, error, clock.GetUtcNow(), CancellationToken.None);
    }

    /// <summary>Writes the latest progress to the job row a few times a second, in order, until the rebuild ends.</summary>
    private async Task ReportAsync(Guid jobId, LatestProgress latest, CancellationToken done)
    {
        using var timer = new PeriodicTimer(ProgressInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
                await jobs.ProgressAsync(jobId, latest.Value.ProcessedEvents, latest.Value.TotalEvents, done);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // The rebuild ended; the caller writes the final figures.
        }
    }

    private sealed class LatestProgress : IProgress<RebuildProgress>
    {
        private RebuildProgress _value;

        public RebuildProgress Value => _value;

        public void Report(RebuildProgress value) => _value = value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted rebuild of projection {Projection} (job {JobId})")]
    private static partial void LogAccepted(ILogger logger, string projection, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt projection {Projection} (job {JobId})")]
    private static partial void LogRebuilt(ILogger logger, string projection, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was delivered again after it had ended: nothing to do")]
    private static partial void LogAlreadyEnded(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild of projection {Projection} failed (job {JobId})")]
    private static partial void LogRebuildFailed(ILogger logger, string projection, Guid jobId, Exception error);
}
