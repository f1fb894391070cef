using System.Diagnostics;
using JasperFx.Events.Projections;
using Ledger.Projections.Rebuilds;
using Marten;

namespace Ledger.Projections.Store;

/// <summary>
/// Where a projection stands. <paramref name="LagEvents"/> counts committed events after the checkpoint;
/// <paramref name="LagMs"/> is how old the first of them is, 0 when caught up.
/// </summary>
public sealed record ProjectionStatus(
    string Name, LogPosition Position, LogPosition Head, long LagEvents, long LagMs, string Status, string? LastError);

/// <summary>
/// Reads Marten's progression of the async projections and lets a caller wait for one to pass a position
/// (read-your-writes). Marten offers waiting for "no longer stale" only, not for a given sequence, so the
/// wait is ours: it re-reads the progression, starting fast and backing off, until the deadline.
/// </summary>
public sealed class ProjectionProgress(IDocumentStore store, ProjectionFaults faults, ProjectionRebuilder rebuilder)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);

    public const string Running = "running";
    public const string Faulted = "faulted";
    public const string Rebuilding = "rebuilding";

    /// <summary>The projection's committed checkpoint; <see cref="LogPosition.Start"/> before it ever ran.</summary>
    public async Task<LogPosition> CheckpointAsync(string projection, CancellationToken ct) =>
        new(await store.Advanced.ProjectionProgressFor(ShardName.Compose(projection), token: ct));

    /// <summary>The sequence of the last committed event; <see cref="LogPosition.Start"/> for an empty log.</summary>
    public async Task<LogPosition> HeadAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var last = await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(1).ToListAsync(ct);
        return last.Count == 0 ? LogPosition.Start : new LogPosition(last[0].Sequence);
    }

    /// <summary>True as soon as the checkpoint is at or past <paramref name="position"/>; false at the timeout.</summary>
    public async Task<bool> WaitForAsync(string projection, LogPosition position, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = FirstPoll;
        while (true)
        {
            if (await CheckpointAsync(projection, ct) >= position) return true;
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return false;
            await Task.Delay(remaining < pause ? remaining : pause, ct);
            pause = pause * 2 < LongestPoll ? pause * 2 : LongestPoll;
        }
    }

    /// <summary>One status per name, in the order asked. Counting the lag is linear in it: cheap exactly when all is well.</summary>
    public async Task<IReadOnlyList<ProjectionStatus>> ReadAsync(IEnumerable<string> names, DateTimeOffset now, CancellationToken ct)
    {
        var head = await HeadAsync(ct);
        var recorded = await faults.ReadAsync(ct);
        await using var session = store.QuerySession();
        var statuses = new List<ProjectionStatus>();
        foreach (var name in names)
        {
            var position = await CheckpointAsync(name, ct);
            var behind = session.Events.QueryAllRawEvents().Where(e => e.Sequence > position.Sequence);
            var lagEvents = await behind.CountAsync(ct);
            var oldest = lagEvents == 0 ? [] : await behind.OrderBy(e => e.Sequence).Take(1).ToListAsync(ct);
            var lagMs = oldest.Count == 0 ? 0 : Math.Max(0, (long)(now - oldest[0].Timestamp).TotalMilliseconds);
            // A fault the checkpoint has passed is history, not the projection's state.
            var fault = recorded.GetValueOrDefault(name) is { } f && position.Sequence < f.Sequence ? f : null;
            var status = await rebuilder.IsRunningAnywhereAsync(name, ct) ? Rebuilding : fault is null ? Running : Faulted;
            statuses.Add(new ProjectionStatus(name, position, head, lagEvents, lagMs, status, fault?.Error));
        }
        return statuses;
    }
}
