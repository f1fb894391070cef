using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// An async projection whose view is one table that can be rebuilt from the log beside the live one
/// and swapped in. The rebuild session may buffer and write in bulk; it never touches the live table.
/// </summary>
public interface IRebuildableProjection : IAsyncProjection
{
    /// <summary>The live table's name in the store's schema.</summary>
    string Table { get; }

    IRebuildSession StartRebuild(string shadowTable);
}

public interface IRebuildSession
{
    /// <summary>Takes the next events in log order; may write them now or keep them for <see cref="FlushAsync"/>.</summary>
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct);

    /// <summary>Writes whatever is buffered into the shadow table.</summary>
    Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct);
}

/// <summary>Another rebuild of this projection is running (in this or another process).</summary>
public sealed class RebuildAlreadyRunningException(string projection)
    : Exception($"A rebuild of {projection} is already running.");
