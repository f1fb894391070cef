using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// A read model kept up to date behind the write path by the <see cref="ProjectionDaemon"/>. Each call gets
/// one batch of committed events in log order, inside the daemon's transaction: the projection's writes
/// commit together with the checkpoint that says they were made, or not at all.
/// </summary>
public interface IAsyncProjection
{
    /// <summary>Unique per schema; it names the checkpoint row and the leadership lock.</summary>
    string Name { get; }

    /// <summary>
    /// Applies the batch. Throwing rolls the batch back; the daemon then retries (transient errors) or
    /// isolates the failing event and stops the projection there. It never skips an event.
    /// </summary>
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}

/// <summary>The values of <c>event_progression.status</c>.</summary>
public static class ProjectionStatuses
{
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Faulted = "faulted";
}
