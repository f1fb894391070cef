using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Api.Http;
using Ledger.Projections.Schema;
using Npgsql;

namespace Ledger.Api.Writes;

/// <summary>What a completed idempotent write stored: enough to answer a retry exactly as the first time.</summary>
public sealed record CommandRecord(string Operation, byte[] RequestHash, int StatusCode, string Response)
{
    public WriteOutcome Replay(IdempotentWrite retry)
    {
        if (Operation != retry.Operation || !RequestHash.AsSpan().SequenceEqual(retry.RequestHash))
            return CommandRecords.Conflict(retry.Id);
        if (StatusCode == CommandRecords.CommittedStatus)
        {
            WriteResult result = Operation == "account.open" ? Read(StoredJson.Default.AccountResult) : Read(StoredJson.Default.TransferResult);
            return new Committed(result, Replayed: true);
        }
        var rejection = Read(StoredJson.Default.RejectionRecord);
        return new Refused(rejection.Code, rejection.Detail);
    }

    private T Read<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(Response, type) ?? throw new InvalidOperationException($"A stored {Operation} outcome is empty.");
}

/// <summary>A remembered business rejection, replayed as the same problem on retry.</summary>
public sealed record RejectionRecord(string Code, string Detail);

/// <summary>
/// The stored form of outcomes: the same camelCase JSON the first answer carried, read leniently so that
/// members older rows carry and these records no longer name (a transfer's <c>status</c>) are skipped.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(AccountResult))]
[JsonSerializable(typeof(TransferResult))]
[JsonSerializable(typeof(RejectionRecord))]
public sealed partial class StoredJson : JsonSerializerContext;

/// <summary>
/// The idempotency table. Rows are written once, complete, at the end of the write transaction. Every
/// writer holds the append lock from its first statement to its commit, so no one can store an id
/// between our read of the known ids and our insert; the primary key fails the batch loudly if that
/// ever stops being true.
/// </summary>
public sealed class CommandRecords(LedgerSchema schema)
{
    /// <summary>The <c>status_code</c> of a committed write: the 201 its first answer carried.</summary>
    public const int CommittedStatus = StatusCodes.Status201Created;

    public static Refused Conflict(Guid id) =>
        new("idempotency_conflict", $"Id {id} was already used for a different request.");

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
        IReadOnlyList<(IdempotentWrite Write, WriteOutcome Outcome)> decided, IReadOnlyList<TransferResult> deposits, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.commands (id, operation, request_hash, status_code, response, created_at)
            SELECT c.id, c.operation, c.request_hash, c.status_code, c.response::jsonb, $6
            FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::int[], $5::text[]) AS c(id, operation, request_hash, status_code, response)
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.Id).Concat(deposits.Select(d => d.Id)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.Operation).Concat(deposits.Select(_ => "deposit")).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => c.Write.RequestHash).Concat(deposits.Select(_ => Array.Empty<byte>())).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => Status(c.Outcome)).Concat(deposits.Select(_ => CommittedStatus)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = decided.Select(c => Body(c.Outcome)).Concat(deposits.Select(d => JsonSerializer.Serialize(d, StoredJson.Default.TransferResult))).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        return command;
    }

    /// <summary>A completed transfer, deposit or withdrawal, as its write recorded it.</summary>
    public async Task<TransferResult?> FindTransferAsync(NpgsqlDataSource dataSource, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("""
            SELECT response::text FROM {schema}.commands
            WHERE id = $1 AND status_code = 201 AND operation IN ('transfer', 'deposit', 'withdrawal')
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync(ct) is string stored ? JsonSerializer.Deserialize(stored, StoredJson.Default.TransferResult) : null;
    }

    /// <summary>The status the first answer carried: the column predates these records and older rows keep it.</summary>
    private static int Status(WriteOutcome outcome) => outcome switch
    {
        Committed => CommittedStatus,
        Refused r => ProblemCodes.StatusOf(r.Code),
        _ => throw new InvalidOperationException($"Only decided outcomes are remembered, not {outcome.GetType().Name}."),
    };

    private static string Body(WriteOutcome outcome) => outcome switch
    {
        Committed { Result: AccountResult a } => JsonSerializer.Serialize(a, StoredJson.Default.AccountResult),
        Committed { Result: TransferResult t } => JsonSerializer.Serialize(t, StoredJson.Default.TransferResult),
        Refused r => JsonSerializer.Serialize(new RejectionRecord(r.Code, r.Detail), StoredJson.Default.RejectionRecord),
        _ => throw new InvalidOperationException($"Only decided outcomes are remembered, not {outcome.GetType().Name}."),
    };
}
