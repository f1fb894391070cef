using JasperFx.Events;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// An async projection whose view is one table that can be rebuilt from the log beside the live one
/// and swapped in. The rebuild session may buffer and write in bulk; it never touches the live table.
/// </summary>
public interface IRebuildableProjection
{
    /// <summary>The projection's name in Marten (its shard is <c>{Name}:All</c>) and in the contract.</summary>
    string Name { get; }

    /// <summary>The live table's name in the ledger's schema.</summary>
    string Table { get; }

    IRebuildSession StartRebuild(string shadowTable);
}

public interface IRebuildSession
{
    /// <summary>Takes the next events in log order; may write them now or keep them for <see cref="FlushAsync"/>.</summary>
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<IEvent> events, CancellationToken ct);

    /// <summary>Writes whatever is buffered into the shadow table.</summary>
    Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct);
}

/// <summary>Another rebuild of this projection is running (in this or another process).</summary>
public sealed class RebuildAlreadyRunningException(string projection)
    : Exception($"A rebuild of {projection} is already running.");
