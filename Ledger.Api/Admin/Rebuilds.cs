using Ledger.Api.Http;
using Ledger.Projections.Rebuilds;
using Npgsql;

namespace Ledger.Api.Admin;

/// <summary>
/// Starts projection rebuilds as background jobs: 202 with a job id at once, 409 while a rebuild of the
/// same projection runs anywhere. Progress is written to the job row a few times a second. The rebuild
/// lock is held until the row says how the job ended, so a row still running without anyone holding
/// the lock belongs to a process that died: it is closed as failed when next seen.
/// </summary>
public sealed partial class Rebuilds(
    IEnumerable<IRebuildableProjection> projections, ProjectionRebuilder rebuilder, Jobs jobs, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<Rebuilds> logger)
{
    private const string KindPrefix = "rebuild:";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public IRebuildableProjection? Find(string name) =>
        projections.FirstOrDefault(p => p.Name == name);

    public IReadOnlyList<IRebuildableProjection> All => projections.ToList();

    public static async Task<IResult> Post(string name, Rebuilds rebuilds, CancellationToken ct)
    {
        if (rebuilds.Find(name) is not { } projection)
            return Problems.NotFound($"Rebuildable projection '{name}' (audit is written with the events and has nothing derived to rebuild)");
        var jobId = await rebuilds.StartAsync(projection, ct);
        return jobId is null
            ? Problems.Of(StatusCodes.Status409Conflict, "rebuild_running", $"A rebuild of {name} is already running.")
            : TypedResults.Accepted($"/admin/jobs/{jobId}", new { jobId });
    }

    public static async Task<IResult> GetJob(string id, Rebuilds rebuilds, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var jobId, out var problem)) return problem!;
        return await rebuilds.FindJobAsync(jobId, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"Job {jobId}");
    }

    private async Task<JobResponse?> FindJobAsync(Guid jobId, CancellationToken ct)
    {
        var job = await jobs.FindAsync(jobId, ct);
        if (job is not { Status: "running" } || !job.Kind.StartsWith(KindPrefix, StringComparison.Ordinal)) return job;
        if (await rebuilder.IsRunningAnywhereAsync(job.Kind[KindPrefix.Length..], ct)) return job;
        // Read again after closing: the job may have ended properly between the two reads.
        await jobs.AbandonRunningAsync(job.Kind, clock.GetUtcNow(), ct);
        LogAbandoned(logger, job.Kind, jobId);
        return await jobs.FindAsync(jobId, ct);
    }

    private async Task<Guid?> StartAsync(IRebuildableProjection projection, CancellationToken ct)
    {
        var rebuild = await rebuilder.TryStartAsync(projection, ct);
        if (rebuild is null) return null;
        var jobId = Guid.CreateVersion7(clock.GetUtcNow());
        var kind = KindPrefix + projection.Name;
        // We hold the lock, so any job of this kind still marked running lost its process.
        await jobs.AbandonRunningAsync(kind, clock.GetUtcNow(), ct);
        await jobs.StartAsync(jobId, kind, clock.GetUtcNow(), ct);
        _ = Task.Run(() => RunAsync(jobId, projection, rebuild), CancellationToken.None);
        return jobId;
    }

    private async Task RunAsync(Guid jobId, IRebuildableProjection projection, ProjectionRebuild rebuild)
    {
        var latest = new LatestProgress();
        string? error = null;
        await using (rebuild)
        {
            using var done = new CancellationTokenSource();
            var reporter = ReportAsync(jobId, latest, done.Token);
            try
            {
                await rebuild.RunAsync(latest, lifetime.ApplicationStopping);
                LogRebuilt(logger, projection.Name, jobId);
            }
            catch (Exception e)
            {
                error = $"{e.GetType().Name}: {e.Message}";
                LogRebuildFailed(logger, projection.Name, jobId, e);
            }
            await done.CancelAsync();
            await reporter;
            var final = latest.Value;
            try
            {
                await jobs.ProgressAsync(jobId, final.ProcessedEvents, final.TotalEvents, CancellationToken.None);
                await jobs.FinishAsync(jobId, error, clock.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception e) when (Hosting.DatabaseFaults.IsDatabase(e))
            {
                LogJobNotRecorded(logger, jobId, e);
            }
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt projection {Projection} (job {JobId})")]
    private static partial void LogRebuilt(ILogger logger, string projection, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) was still marked running but no process holds its lock: closed as failed (abandoned)")]
    private static partial void LogAbandoned(ILogger logger, string kind, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record how job {JobId} ended; once its lock is released it reads as failed (abandoned)")]
    private static partial void LogJobNotRecorded(ILogger logger, Guid jobId, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild of projection {Projection} failed (job {JobId})")]
    private static partial void LogRebuildFailed(ILogger logger, string projection, Guid jobId, Exception error);
}
