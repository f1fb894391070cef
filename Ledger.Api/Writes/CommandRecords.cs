using System.Text.Json;
using Ledger.Api.Http;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Api.Writes;

/// <summary>What a completed idempotent write stored: enough to answer a retry exactly as the first time.</summary>
public sealed record CommandRecord(string Operation, byte[] RequestHash, int StatusCode, string Response)
{
    public WriteOutcome Replay(IdempotentWrite retry)
    {
        if (Operation != retry.Operation || !RequestHash.AsSpan().SequenceEqual(retry.RequestHash))
            return CommandRecords.Conflict(retry.Id);
        if (StatusCode == StatusCodes.Status201Created)
        {
            using var body = JsonDocument.Parse(Response);
            return new Succeeded(StatusCodes.Status200OK, Response, body.RootElement.GetProperty("position").GetString() ?? "");
        }
        var rejection = JsonSerializer.Deserialize(Response, LedgerJson.Default.RejectionRecord)
                        ?? throw new InvalidOperationException($"Stored rejection of {retry.Id} is empty.");
        return new Refused(StatusCode, rejection.Code, rejection.Detail);
    }
}

/// <summary>
/// The idempotency table. An id is claimed with an insert at the start of the write transaction; the
/// primary key makes a concurrent claimer of the same id wait for our commit and then see our result.
/// </summary>
public sealed class CommandRecords(EventStoreSchema schema)
{
    public static Refused Conflict(Guid id) =>
        new(StatusCodes.Status409Conflict, "idempotency_conflict", $"Id {id} was already used for a different request.");

    public static bool SameRequest(IdempotentWrite a, IdempotentWrite b) =>
        a.Operation == b.Operation && a.RequestHash.AsSpan().SequenceEqual(b.RequestHash);

    public NpgsqlBatchCommand ClaimCommand(IReadOnlyList<IdempotentWrite> writes, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.commands (id, operation, request_hash, created_at)
            SELECT c.id, c.operation, c.request_hash, $4 FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS c(id, operation, request_hash)
            ORDER BY c.id
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Operation).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.RequestHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        return command;
    }

    /// <summary>Runs after the claim in the same round trip; its fresh snapshot sees what a concurrent claimer committed.</summary>
    public NpgsqlBatchCommand ReadCompletedCommand(IEnumerable<Guid> ids)
    {
        var command = new NpgsqlBatchCommand(schema.Sql(
            "SELECT id, operation, request_hash, status_code, response::text FROM {schema}.commands WHERE id = ANY($1) AND status_code IS NOT NULL"));
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return command;
    }

    public static CommandRecord Read(NpgsqlDataReader r) =>
        new(r.GetString(1), r.GetFieldValue<byte[]>(2), r.GetInt32(3), r.GetString(4));

    public NpgsqlBatchCommand CompleteCommand(IReadOnlyList<(LedgerWrite Write, WriteOutcome Outcome)> completed)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            UPDATE {schema}.commands c SET status_code = d.status_code, response = d.response::jsonb
            FROM unnest($1::uuid[], $2::int[], $3::text[]) AS d(id, status_code, response)
            WHERE c.id = d.id
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = completed.Select(c => ((IdempotentWrite)c.Write).Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = completed.Select(c => Status(c.Outcome)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = completed.Select(c => Body(c.Outcome)).ToArray() });
        return command;
    }

    /// <summary>
    /// Records deposits the ledger booked on its own (initial balances) as completed transfers. Their
    /// request hash is empty, so a client reusing such an id for a request of its own gets a conflict.
    /// </summary>
    public NpgsqlBatchCommand InsertDepositsCommand(IReadOnlyList<(Guid Id, string Body)> deposits, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.commands (id, operation, request_hash, status_code, response, created_at)
            SELECT d.id, 'deposit', '\x'::bytea, 201, d.response::jsonb, $3 FROM unnest($1::uuid[], $2::text[]) AS d(id, response)
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = deposits.Select(d => d.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = deposits.Select(d => d.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        return command;
    }

    /// <summary>The stored 201 body of a completed transfer, deposit or withdrawal.</summary>
    public async Task<string?> FindTransferAsync(NpgsqlDataSource dataSource, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("""
            SELECT response::text FROM {schema}.commands
            WHERE id = $1 AND status_code = 201 AND operation IN ('transfer', 'deposit', 'withdrawal')
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static int Status(WriteOutcome outcome) => outcome switch
    {
        Succeeded s => s.StatusCode,
        Refused r => r.StatusCode,
        _ => throw new InvalidOperationException($"Only decided outcomes are remembered, not {outcome.GetType().Name}."),
    };

    private static string Body(WriteOutcome outcome) => outcome switch
    {
        Succeeded s => s.Body,
        Refused r => JsonSerializer.Serialize(new RejectionRecord(r.Code, r.Detail), LedgerJson.Default.RejectionRecord),
        _ => throw new InvalidOperationException($"Only decided outcomes are remembered, not {outcome.GetType().Name}."),
    };
}
