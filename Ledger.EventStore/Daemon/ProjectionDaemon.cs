using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// Keeps async projections up to date. Runs one runner per projection and one LISTEN connection on the
/// events channel that wakes them all. Every process may run a daemon with the same projections: a
/// projection is applied by exactly one of them at a time (see <see cref="Leadership"/>); the others
/// stand by and take over from the checkpoint when the leader goes away.
/// </summary>
public sealed class ProjectionDaemon : IAsyncDisposable
{
    private readonly IReadOnlyList<ProjectionRunner> _runners;
    private readonly NotificationListener _listener;
    private readonly ILogger<ProjectionDaemon> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _gate = new();
    private Task? _listening;
    private Task[] _running = [];
    private Task? _stopped;

    public ProjectionDaemon(
        EventStore store, IEnumerable<IAsyncProjection> projections, ProjectionDaemonOptions options, ILogger<ProjectionDaemon> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var list = projections.ToList();
        var duplicate = list.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Projection name '{duplicate.Key}' is used twice; names key checkpoints and locks.", nameof(projections));

        _logger = logger;
        var progress = new ProgressTable(store.Schema, store.DataSource);
        _runners = list.Select(p => new ProjectionRunner(store, p, options, progress, logger)).ToList();
        // The payload is irrelevant: any commit may matter to every projection.
        _listener = new NotificationListener(store.DataSource, store.Schema.EventsChannel, _ => WakeAll(), WakeAll, logger);
    }

    /// <summary>Started, not stopped, and none of its loops died of an unexpected error.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
                return _listening is { IsCompleted: false } && !_stopping.IsCancellationRequested && _running.All(t => !t.IsFaulted);
        }
    }

    /// <summary>The projections whose leadership this instance holds right now.</summary>
    public IReadOnlyCollection<string> LedProjections => _runners.Where(r => r.IsLeading).Select(r => r.Name).ToList();

    /// <summary>Starts the loops and returns; leadership and catching up happen in the background.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_listening is not null) throw new InvalidOperationException("The daemon was already started.");
            _listening = Task.Run(() => _listener.RunAsync(_stopping.Token), CancellationToken.None);
            _running = _runners.Select(r => Task.Run(() => RunAsync(r), CancellationToken.None)).ToArray();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Lets every batch in flight finish, marks led projections stopped, releases the locks and closes the
    /// connections. Cancelling <paramref name="ct"/> cancels the batches in flight instead (they roll back).
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        Task stopped;
        lock (_gate)
            stopped = _stopped ??= StopLoopsAsync();
        // Cancelling turns a graceful stop into an abort, but we still wait: the loops end quickly once
        // their batches are cancelled, and returning earlier would leave locks and connections behind.
        await using (ct.Register(() => _abort.Cancel()))
            await stopped;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        _abort.Dispose();
    }

    private async Task StopLoopsAsync()
    {
        await _stopping.CancelAsync();
        Task[] loops;
        lock (_gate) loops = [.. _running, .. _listening is null ? [] : new[] { _listening }];
        try
        {
            await Task.WhenAll(loops);
        }
        catch (Exception)
        {
            // Crashes were logged by RunAsync when they happened; stopping must not rethrow them.
        }
    }

    private async Task RunAsync(ProjectionRunner runner)
    {
        try
        {
            await runner.RunAsync(_stopping.Token, _abort.Token);
        }
        catch (Exception e) when (!_abort.IsCancellationRequested)
        {
            _logger.RunnerCrashed(runner.Name, e);
            throw;
        }
    }

    private void WakeAll()
    {
        foreach (var runner in _runners) runner.Wake();
    }
}
