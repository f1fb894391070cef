using Ledger.Api.Http;
using Ledger.EventStore.Daemon;

namespace Ledger.Api.Admin;

/// <summary>
/// Starts projection rebuilds as background jobs: 202 with a job id at once, 409 while a rebuild of the
/// same projection runs anywhere. Progress is written to the job row a few times a second.
/// </summary>
public sealed partial class Rebuilds(
    IEnumerable<IAsyncProjection> projections, ProjectionRebuilder rebuilder, Jobs jobs, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<Rebuilds> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public IRebuildableProjection? Find(string name) =>
        projections.OfType<IRebuildableProjection>().FirstOrDefault(p => p.Name == name);

    public IReadOnlyList<IRebuildableProjection> All => projections.OfType<IRebuildableProjection>().ToList();

    public static async Task<IResult> Post(string name, Rebuilds rebuilds, CancellationToken ct)
    {
        if (rebuilds.Find(name) is not { } projection)
            return Problems.NotFound($"Rebuildable projection '{name}' (audit is written with the events and has nothing derived to rebuild)");
        var jobId = await rebuilds.StartAsync(projection, ct);
        return jobId is null
            ? Problems.Of(StatusCodes.Status409Conflict, "rebuild_running", $"A rebuild of {name} is already running.")
            : TypedResults.Accepted($"/admin/jobs/{jobId}", new { jobId });
    }

    public static async Task<IResult> GetJob(string id, Jobs jobs, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var jobId, out var problem)) return problem!;
        return await jobs.FindAsync(jobId, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"Job {jobId}");
    }

    private async Task<Guid?> StartAsync(IRebuildableProjection projection, CancellationToken ct)
    {
        var rebuild = await rebuilder.TryStartAsync(projection, ct);
        if (rebuild is null) return null;
        var jobId = Guid.CreateVersion7(clock.GetUtcNow());
        await jobs.StartAsync(jobId, "rebuild:" + projection.Name, clock.GetUtcNow(), ct);
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
        }
        var final = latest.Value;
        await jobs.ProgressAsync(jobId, final.ProcessedEvents, final.TotalEvents, CancellationToken.None);
        await jobs.FinishAsync(jobId, error, clock.GetUtcNow(), CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild of projection {Projection} failed (job {JobId})")]
    private static partial void LogRebuildFailed(ILogger logger, string projection, Guid jobId, Exception error);
}
