using Npgsql;

namespace Ledger.EventStore.Appending;

/// <summary>
/// Runs inside the append transaction with the events being appended, so its rows commit or roll back
/// together with them. Keep it set-based: it sits on the write path.
/// </summary>
public interface IInlineProjection
{
    string Name { get; }

    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}
