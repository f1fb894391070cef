using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.Reconciliation;

/// <summary>Stored reports, so a reconciliation can be fetched (and audited) after it ran.</summary>
public sealed class ReconciliationReports(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    public async Task SaveAsync(ReconciliationReport report, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("""
            INSERT INTO {schema}.reconciliations
                (id, as_of, started_at, events_replayed, accounts_checked, mismatches, totals, leg_problems, balanced, duration_ms, pending)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11::jsonb)
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = report.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = report.AsOf is { } asOf ? asOf.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = report.StartedAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = report.EventsReplayed });
        command.Parameters.Add(new NpgsqlParameter { Value = report.AccountsChecked });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report.Mismatches, ReconciliationJson.Default.IReadOnlyListBalanceMismatch) });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report.TotalsByCurrency, ReconciliationJson.Default.IReadOnlyDictionaryStringInt64) });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report.LegProblems, ReconciliationJson.Default.IReadOnlyListLegProblem) });
        command.Parameters.Add(new NpgsqlParameter { Value = report.Balanced });
        command.Parameters.Add(new NpgsqlParameter { Value = report.DurationMs });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report.PendingByCurrency, ReconciliationJson.Default.IReadOnlyDictionaryStringInt64) });
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string Columns =
        "id, as_of, started_at, events_replayed, accounts_checked, mismatches::text, totals::text, leg_problems::text, balanced, duration_ms, pending::text";

    public async Task<ReconciliationReport?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql($"SELECT {Columns} FROM {{schema}}.reconciliations WHERE id = $1"));
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>The latest reports, newest first; the caller bounds <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ReconciliationReport>> RecentAsync(int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(
            $"SELECT {Columns} FROM {{schema}}.reconciliations ORDER BY started_at DESC, id DESC LIMIT $1"));
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await command.ExecuteReaderAsync(ct);
        var reports = new List<ReconciliationReport>();
        while (await r.ReadAsync(ct)) reports.Add(Read(r));
        return reports;
    }

    private static ReconciliationReport Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1), r.GetFieldValue<DateTimeOffset>(2), r.GetInt64(3), r.GetInt64(4),
        JsonSerializer.Deserialize(r.GetString(5), ReconciliationJson.Default.IReadOnlyListBalanceMismatch) ?? [],
        JsonSerializer.Deserialize(r.GetString(6), ReconciliationJson.Default.IReadOnlyDictionaryStringInt64) ?? new Dictionary<string, long>(),
        JsonSerializer.Deserialize(r.GetString(7), ReconciliationJson.Default.IReadOnlyListLegProblem) ?? [],
        r.GetBoolean(8), r.GetInt64(9),
        JsonSerializer.Deserialize(r.GetString(10), ReconciliationJson.Default.IReadOnlyDictionaryStringInt64) ?? new Dictionary<string, long>());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<BalanceMismatch>))]
[JsonSerializable(typeof(IReadOnlyList<LegProblem>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, long>))]
internal sealed partial class ReconciliationJson : JsonSerializerContext;
