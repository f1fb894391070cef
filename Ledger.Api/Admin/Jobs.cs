using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Api.Admin;

public sealed record JobResponse(
    Guid JobId, string Kind, string Status, long ProcessedEvents, long TotalEvents, DateTimeOffset StartedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? FinishedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>The <c>jobs</c> table: long operator work (rebuilds) that clients poll; the work itself is a Wolverine message.</summary>
public sealed class Jobs(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    public Task StartAsync(Guid id, string kind, DateTimeOffset at, CancellationToken ct) => ExecuteAsync(
        "INSERT INTO {schema}.jobs (id, kind, status, started_at) VALUES ($1, $2, 'running', $3)", ct, id, kind, at.ToUniversalTime());

    public Task ProgressAsync(Guid id, long processed, long total, CancellationToken ct) => ExecuteAsync(
        "UPDATE {schema}.jobs SET processed_events = $2, total_events = $3 WHERE id = $1", ct, id, processed, total);

    public Task FinishAsync(Guid id, string? error, DateTimeOffset at, CancellationToken ct) => ExecuteAsync(
        "UPDATE {schema}.jobs SET status = $2, finished_at = $3, error = $4 WHERE id = $1", ct,
        id, error is null ? "succeeded" : "failed", at.ToUniversalTime(), error ?? (object)DBNull.Value);

    public async Task<bool> AnyRunningAsync(string kind, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("SELECT EXISTS (SELECT 1 FROM {schema}.jobs WHERE kind = $1 AND status = 'running')"));
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task<JobResponse?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(
            "SELECT id, kind, status, processed_events, total_events, started_at, finished_at, error FROM {schema}.jobs WHERE id = $1"));
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new JobResponse(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetFieldValue<DateTimeOffset>(5),
            r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetString(7));
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(sql));
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
