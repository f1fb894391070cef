using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// Lets a caller wait until a projection has processed a position (read-your-writes after an append).
/// One per process: all waits share one LISTEN connection on the progress channel, opened on first use.
/// Each notification for a projection makes its waiters re-read the checkpoint row; a slow safety re-read
/// covers a notification missed while the connection was down.
/// </summary>
public sealed class CheckpointWaiter(EventStore store, ILogger<CheckpointWaiter>? logger = null) : IAsyncDisposable
{
    private static readonly TimeSpan SafetyReread = TimeSpan.FromMilliseconds(250);

    private readonly ProgressTable _progress = new(store.Schema, store.DataSource);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<WakeSignal, byte>> _waiters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private Task? _listening;

    /// <summary>True as soon as the stored checkpoint is at or past <paramref name="position"/>; false at the timeout.</summary>
    public Task<bool> WaitForAsync(string projection, LogPosition position, TimeSpan timeout, CancellationToken ct) =>
        WaitUntilAsync(projection, row => (row?.Position ?? LogPosition.Start) >= position, timeout, ct);

    /// <summary>True as soon as the projection's row has the status (see <see cref="ProjectionStatuses"/>); false at the timeout.</summary>
    public Task<bool> WaitForStatusAsync(string projection, string status, TimeSpan timeout, CancellationToken ct) =>
        WaitUntilAsync(projection, row => (row?.Status ?? ProjectionStatuses.Stopped) == status, timeout, ct);

    /// <summary>The stored checkpoint; <see cref="LogPosition.Start"/> before the projection ever ran.</summary>
    public async Task<LogPosition> ReadCheckpointAsync(string projection, CancellationToken ct) =>
        (await _progress.ReadAsync(projection, null, ct))?.Position ?? LogPosition.Start;

    private async Task<bool> WaitUntilAsync(string projection, Func<ProgressRow?, bool> done, TimeSpan timeout, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        EnsureListening();
        var signal = new WakeSignal();
        var waiters = _waiters.GetOrAdd(projection, _ => new ConcurrentDictionary<WakeSignal, byte>());
        // Registered before the first read, so a move between that read and the wait still wakes us.
        waiters[signal] = 0;
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                if (done(await _progress.ReadAsync(projection, null, ct))) return true;
                var remaining = timeout - Stopwatch.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero) return false;
                await signal.WaitAsync(remaining < SafetyReread ? remaining : SafetyReread, ct);
            }
        }
        finally
        {
            waiters.TryRemove(signal, out _);
        }
    }

    private void EnsureListening()
    {
        lock (_gate)
        {
            if (_listening is not null) return;
            var listener = new NotificationListener(store.DataSource, store.Schema.ProgressChannel,
                WakeWaitersOf, WakeEveryWaiter, logger ?? NullLogger<CheckpointWaiter>.Instance);
            _listening = Task.Run(() => listener.RunAsync(_disposing.Token), CancellationToken.None);
        }
    }

    private void WakeWaitersOf(string projection)
    {
        if (_waiters.TryGetValue(projection, out var waiters))
            foreach (var signal in waiters.Keys) signal.Set();
    }

    private void WakeEveryWaiter()
    {
        foreach (var waiters in _waiters.Values)
            foreach (var signal in waiters.Keys) signal.Set();
    }

    public async ValueTask DisposeAsync()
    {
        Task? listening;
        lock (_gate)
        {
            if (_disposing.IsCancellationRequested) return;
            _disposing.Cancel();
            listening = _listening;
        }
        if (listening is not null) await listening;
        _disposing.Dispose();
    }
}
