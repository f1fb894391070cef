using Ledger.Projections.Accounts;
using Ledger.Projections.Schema;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// Why a projection stopped, kept where every instance can read it. Marten's daemon pauses a shard whose
/// batch keeps failing, but only the leading instance knows; <c>GET /admin/projections</c> must say
/// "faulted" and why on any instance, so the projection records the fault itself before rethrowing.
/// A fault is current only while the projection's checkpoint is below the event it names; once the
/// projection passes it (the cause was fixed and the instance restarted), the record no longer counts.
/// </summary>
public sealed class ProjectionFaults(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    public sealed record Fault(string Error, long Sequence, DateTimeOffset At);

    /// <summary>Runs the fold; if an event cannot be folded, records which one and why, then rethrows.</summary>
    public async Task<T> GuardAsync<T>(string projection, Func<T> fold, CancellationToken ct)
    {
        try
        {
            return fold();
        }
        catch (ProjectionFoldException e)
        {
            await RecordAsync(projection, $"at position {e.Culprit.Sequence}: {e.Message}", e.Culprit.Sequence, ct);
            throw;
        }
    }

    private async Task RecordAsync(string projection, string error, long sequence, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("""
            INSERT INTO {schema}.projection_faults (name, error, sequence, at) VALUES ($1, $2, $3, now())
            ON CONFLICT (name) DO UPDATE SET error = excluded.error, sequence = excluded.sequence, at = excluded.at
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = projection });
        command.Parameters.Add(new NpgsqlParameter { Value = error });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, Fault>> ReadAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("SELECT name, error, sequence, at FROM {schema}.projection_faults"));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var faults = new Dictionary<string, Fault>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            faults[reader.GetString(0)] = new Fault(reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
        return faults;
    }
}
