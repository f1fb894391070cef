using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>One projection's row of <c>event_progression</c>.</summary>
internal sealed record ProgressRow(
    LogPosition Position, string Status, string? LastError, LogPosition? ErrorPosition, DateTimeOffset UpdatedAt);

/// <summary>
/// The SQL on <c>event_progression</c>. Every change of a row also notifies the progress channel, in the
/// same transaction, so waiters hear about it exactly when it becomes visible.
/// </summary>
internal sealed class ProgressTable(EventStoreSchema schema, NpgsqlDataSource dataSource)
{
    private const string RowColumns = "tx_id, seq, status, last_error, error_tx_id, error_seq, updated_at";

    /// <summary>The row, or null before the projection ever ran. Pass no connection to use the pool.</summary>
    public async Task<ProgressRow?> ReadAsync(string name, NpgsqlConnection? connection, CancellationToken ct)
    {
        await using var command = Command($"SELECT {RowColumns} FROM {{schema}}.event_progression WHERE name = $1", connection, name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new ProgressRow(
            new LogPosition(reader.GetInt64(0), reader.GetInt64(1)),
            reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : new LogPosition(reader.GetInt64(4), reader.GetInt64(5)),
            reader.GetFieldValue<DateTimeOffset>(6));
    }

    /// <summary>Creates the row at the start of the log on first run; a no-op afterwards.</summary>
    public Task EnsureAsync(string name, NpgsqlConnection connection, CancellationToken ct) => ExecuteAsync(
        "INSERT INTO {schema}.event_progression (name, status) VALUES ($1, 'stopped') ON CONFLICT (name) DO NOTHING",
        connection, ct, name);

    /// <summary>Taking leadership clears the previous fault: the error stays in the logs, the row shows now.</summary>
    public Task MarkRunningAsync(string name, NpgsqlConnection connection, CancellationToken ct) => ChangeAsync(
        "status = 'running', last_error = NULL, error_tx_id = NULL, error_seq = NULL", "", connection, ct, name);

    /// <summary>Only a running row becomes stopped; a fault must stay visible after the process ends.</summary>
    public Task MarkStoppedAsync(string name, NpgsqlConnection connection, CancellationToken ct) => ChangeAsync(
        "status = 'stopped'", "AND status = 'running'", connection, ct, name);

    public Task MarkFaultedAsync(string name, string error, LogPosition? at, NpgsqlConnection connection, CancellationToken ct) => ChangeAsync(
        "status = 'faulted', last_error = $3, error_tx_id = $4, error_seq = $5", "", connection, ct,
        name, error, at?.TransactionId ?? (object)DBNull.Value, at?.Sequence ?? (object)DBNull.Value);

    /// <summary>
    /// Moves the checkpoint only if it is still where this batch started. False means someone else moved
    /// it meanwhile, and the caller must roll back so no event is applied twice.
    /// </summary>
    public async Task<bool> AdvanceAsync(
        string name, LogPosition from, LogPosition to, DateTimeOffset lastEventAt, NpgsqlConnection connection, CancellationToken ct) =>
        await ChangeAsync("tx_id = $5, seq = $6, last_event_at = $7", "AND tx_id = $3 AND seq = $4", connection, ct,
            name, from.TransactionId, from.Sequence, to.TransactionId, to.Sequence, lastEventAt.ToUniversalTime()) == 1;

    /// <summary>
    /// The next committed event's position, readable or not yet (beyond the horizon); names the failing
    /// event when reading it is what fails.
    /// </summary>
    /// <remarks>
    /// The ORDER BY keeps this on the (tx_id, seq) index. A bare <c>EXISTS</c> here, once prepared, got a
    /// generic plan that guessed a third of the log matches and scanned the table from its oldest rows:
    /// at the head of the log that reads all of it (32 ms per poll under load, measured in the benchmark).
    /// </remarks>
    public async Task<LogPosition?> FirstEventAfterAsync(LogPosition after, NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = Command(
            "SELECT tx_id, seq FROM {schema}.events WHERE (tx_id, seq) > ($1, $2) ORDER BY tx_id, seq LIMIT 1",
            connection, after.TransactionId, after.Sequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    private async Task ExecuteAsync(string sql, NpgsqlConnection connection, CancellationToken ct, params object[] values)
    {
        await using var command = Command(sql, connection, values);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Updates the row (name is $1, $2 is taken by the channel) and notifies only when a row changed;
    /// one statement, so the notification is exactly as durable as the change. Returns rows changed.
    /// </summary>
    private async Task<int> ChangeAsync(string set, string condition, NpgsqlConnection connection, CancellationToken ct, string name, params object[] values)
    {
        await using var command = Command($$"""
            WITH changed AS (
                UPDATE {schema}.event_progression SET {{set}}, updated_at = now() WHERE name = $1 {{condition}} RETURNING name)
            SELECT pg_notify($2, name) FROM changed
            """, connection, [name, schema.ProgressChannel, .. values]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var changed = 0;
        while (await reader.ReadAsync(ct)) changed++;
        return changed;
    }

    // Commands on a connection join its open transaction, if any: Npgsql runs them inside it.
    private NpgsqlCommand Command(string sql, NpgsqlConnection? connection, params object[] values)
    {
        var command = connection is null ? dataSource.CreateCommand(schema.Sql(sql)) : new NpgsqlCommand(schema.Sql(sql), connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
