using System.Text.Json;
using Ledger.Api.Http;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
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
/// The idempotency table. Rows are written once, complete, at the end of the write transaction. Every
/// writer holds the append lock from its first statement to its commit, so no one can store an id
/// between our read of the known ids and our insert; the primary key fails the batch loudly if that
/// ever stops being true.
/// </summary>
public sealed class CommandRecords(LedgerSchema schema)
{
    public static Refused Conflict(Guid id) =>
        new(StatusCodes.Status409Conflict, "idempotency_conflict", $"Id {id} was already used for a different request.");

    public static bool SameRequest(IdempotentWrite a, IdempotentWrite b) =>
        a.Operation == b.Operation && a.RequestHash.AsSpan().SequenceEqual(b.RequestHash);

    /// <summary>
    /// Runs after the append lock in the same round trip; its fresh snapshot sees every earlier writer's
    /// commit. A join with the unnested ids keeps a primary-key lookup per id under a generic plan.
    /// </summary>
    public NpgsqlBatchCommand ReadKnownCommand(IEnumerable<Guid> ids)
    {
        var command = new NpgsqlBatchCommand(schema.Sql(
            "SELECT id, operation, request_hash, status_code, response::text FROM unnest($1::uuid[]) AS wanted(id) JOIN {schema}.commands USING (id)"));
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return command;
    }

    public static CommandRecord Read(NpgsqlDataReader r) =>
        new(r.GetString(1), r.GetFieldValue<byte[]>(2), r.GetInt32(3), r.GetString(4));

    /// <summary>
    /// Stores each decided write's outcome, and the deposits the ledger booked on its own (initial
    /// balances) as completed transfers. A deposit's request hash is empty, so a client reusing such an
    /// id for a request of its own gets a conflict.
    /// </summary>
    public NpgsqlBatchCommand InsertCommand(
        IReadOnlyList<(IdempotentWrite Write, WriteOutcome Outcome)> decided, IReadOnlyList<(Guid Id, string Body)> deposits, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.commands (id, operation, request_hash, status_code, response, created_at)
            SELECT c.id, c.operation, c.request_hash, c.status_code, c.response::jsonb, $6
            FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::int[], $5::text[]) AS c(id, operation, request_hash, status_code, response)
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.Id).Concat(deposits.Select(d => d.Id)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.Operation).Concat(deposits.Select(_ => "deposit")).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.RequestHash).Concat(deposits.Select(_ => Array.Empty<byte>())).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => Status(c.Outcome)).Concat(deposits.Select(_ => StatusCodes.Status201Created)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => Body(c.Outcome)).Concat(deposits.Select(d => d.Body)).ToArray() });
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
