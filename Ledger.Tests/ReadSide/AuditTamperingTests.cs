using System.Net;
using Ledger.Projections.Audit;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// Edits made to the stored audit trail behind the API's back (direct SQL) must make
/// <c>GET /audit/verify</c> invalid and name the FIRST broken sequence. Every test starts from a verified
/// chain of <see cref="ChainLength"/> entries and puts the rows back afterwards, so order does not matter.
/// </summary>
public sealed class AuditTamperingTests(AuditTamperingTests.ChainApi api) : IClassFixture<AuditTamperingTests.ChainApi>
{
    public const int ChainLength = 12;

    /// <summary>An API whose trail holds exactly <see cref="ChainLength"/> entries, written once per class.</summary>
    public sealed class ChainApi : LedgerApiFactory
    {
        private Task? _chain;

        // Tests of one class never run at the same time, so a plain lazy field is enough.
        public Task EnsureChainAsync() => _chain ??= WriteChainAsync();

        private async Task WriteChainAsync()
        {
            var client = Client();
            var a = await client.OpenAccountAsync("USD", initialBalance: 1_000);        // 1
            var b = await client.OpenAccountAsync("USD");                               // 2
            for (var n = 1; n <= 8; n++) await client.TransferAsync(a, b, 10 * n);       // 3..10
            var (status, _) = await client.PostJsonAsync("/transfers",
                new { fromAccountId = b, toAccountId = a, amount = 1_000_000, currency = "USD" }); // 11, rejected
            status.ShouldBe(HttpStatusCode.UnprocessableEntity);
            await client.TransferAsync(b, a, 5);                                         // 12
            (await ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries")).ShouldBe(ChainLength);
        }
    }

    /// <summary>Keeps a copy of the trail and its head; disposing puts them back and checks the chain is valid again.</summary>
    private sealed class Restorer(ChainApi api) : IAsyncDisposable
    {
        public static async Task<Restorer> BackUpAsync(ChainApi api)
        {
            await api.EnsureChainAsync();
            var (valid, entriesChecked, _) = await api.Auditor().VerifyAuditAsync();
            valid.ShouldBeTrue("the chain must be intact before tampering");
            entriesChecked.ShouldBe(ChainLength);
            await api.ExecuteAsync("""
                DROP TABLE IF EXISTS {schema}.audit_entries_copy, {schema}.audit_head_copy;
                CREATE TABLE {schema}.audit_entries_copy AS SELECT * FROM {schema}.audit_entries;
                CREATE TABLE {schema}.audit_head_copy AS SELECT * FROM {schema}.audit_head;
                """);
            return new Restorer(api);
        }

        public async ValueTask DisposeAsync()
        {
            await api.ExecuteAsync("""
                BEGIN;
                DELETE FROM {schema}.audit_entries;
                INSERT INTO {schema}.audit_entries SELECT * FROM {schema}.audit_entries_copy;
                UPDATE {schema}.audit_head h SET sequence = c.sequence, hash = c.hash FROM {schema}.audit_head_copy c WHERE h.id = c.id;
                DROP TABLE {schema}.audit_entries_copy, {schema}.audit_head_copy;
                COMMIT;
                """);
            (await api.Auditor().VerifyAuditAsync()).Valid.ShouldBeTrue("restoring the rows must restore a valid chain");
        }
    }

    private async Task ShouldBeBrokenAtAsync(long firstInvalid, long? entriesChecked = null)
    {
        var (valid, checkedCount, first) = await api.Auditor().VerifyAuditAsync();
        valid.ShouldBeFalse();
        first.ShouldBe(firstInvalid);
        if (entriesChecked is not null) checkedCount.ShouldBe(entriesChecked.Value);
    }

    [Fact]
    public async Task changing_the_amount_written_in_one_entrys_detail_makes_verify_name_that_entry()
    {
        await using var _ = await Restorer.BackUpAsync(api);
        (await api.ScalarAsync<string>("SELECT detail FROM {schema}.audit_entries WHERE sequence = 6")).ShouldContain("Moved 40 USD");

        await api.ExecuteAsync("UPDATE {schema}.audit_entries SET detail = replace(detail, 'Moved 40 USD', 'Moved 4000 USD') WHERE sequence = 6");

        await ShouldBeBrokenAtAsync(6, entriesChecked: 6);
    }

    [Theory]
    [InlineData("actor = 'mallory'")]
    [InlineData("operation = 'deposit'")]
    [InlineData("outcome = 'rejected', code = 'insufficient_funds'")]
    [InlineData("code = 'limit_exceeded'")]
    [InlineData("subject_ids = subject_ids[1:2]")]
    [InlineData("at = at + interval '1 microsecond'")]
    [InlineData("previous_hash = repeat('a', 64)")]
    [InlineData("hash = repeat('b', 64)")]
    public async Task editing_any_stored_field_of_a_middle_entry_makes_verify_name_that_entry(string assignment)
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync($"UPDATE {{schema}}.audit_entries SET {assignment} WHERE sequence = 7");

        await ShouldBeBrokenAtAsync(7);
    }

    [Fact]
    public async Task rewriting_an_entry_and_recomputing_its_own_hash_is_caught_at_the_entry_after_it()
    {
        await using var _ = await Restorer.BackUpAsync(api);
        var original = (await api.Service<AuditLog>().ReadAsync(null, afterSequence: 4, limit: 1, CancellationToken.None)).Single();
        var forged = original with { Detail = original.Detail.Replace("Moved 30", "Moved 3", StringComparison.Ordinal) };
        forged.Detail.ShouldNotBe(original.Detail);
        forged = forged with { Hash = AuditChain.Compute(forged) };

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand($"UPDATE {api.Schema}.audit_entries SET detail = $1, hash = $2 WHERE sequence = 5", connection);
            update.Parameters.Add(new NpgsqlParameter { Value = forged.Detail });
            update.Parameters.Add(new NpgsqlParameter { Value = forged.Hash });
            (await update.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        // Entry 5 is consistent in itself; entry 6 still names the old hash.
        await ShouldBeBrokenAtAsync(6, entriesChecked: 6);
    }

    [Fact]
    public async Task rewriting_the_last_entry_and_recomputing_its_hash_is_caught_at_that_entry_because_the_head_names_its_old_hash()
    {
        await using var _ = await Restorer.BackUpAsync(api);
        var original = (await api.Service<AuditLog>().ReadAsync(null, afterSequence: ChainLength - 1, limit: 1, CancellationToken.None)).Single();
        var forged = original with { Detail = original.Detail.Replace("Moved 5 USD", "Moved 500 USD", StringComparison.Ordinal) };
        forged.Detail.ShouldNotBe(original.Detail);
        forged = forged with { Hash = AuditChain.Compute(forged) };

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand($"UPDATE {api.Schema}.audit_entries SET detail = $1, hash = $2 WHERE sequence = $3", connection);
            update.Parameters.Add(new NpgsqlParameter { Value = forged.Detail });
            update.Parameters.Add(new NpgsqlParameter { Value = forged.Hash });
            update.Parameters.Add(new NpgsqlParameter { Value = (long)ChainLength });
            (await update.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        // No later entry names the old hash, but the head does: the rewritten entry itself is the first invalid one.
        await ShouldBeBrokenAtAsync(ChainLength);
    }

    [Fact]
    public async Task deleting_a_middle_entry_makes_verify_name_the_missing_sequence()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync("DELETE FROM {schema}.audit_entries WHERE sequence = 8");

        await ShouldBeBrokenAtAsync(8);
    }

    [Fact]
    public async Task deleting_the_first_entry_makes_verify_name_sequence_one()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync("DELETE FROM {schema}.audit_entries WHERE sequence = 1");

        await ShouldBeBrokenAtAsync(1);
    }

    [Fact]
    public async Task swapping_the_contents_of_two_entries_while_keeping_their_sequences_makes_verify_name_the_earlier_one()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync("""
            UPDATE {schema}.audit_entries e
               SET at = o.at, actor = o.actor, operation = o.operation, subject_ids = o.subject_ids, outcome = o.outcome,
                   code = o.code, detail = o.detail, previous_hash = o.previous_hash, hash = o.hash
              FROM {schema}.audit_entries o
             WHERE (e.sequence, o.sequence) IN ((4, 9), (9, 4))
            """);
        (await api.ScalarAsync<string>("SELECT detail FROM {schema}.audit_entries WHERE sequence = 4")).ShouldContain("Moved 70 USD");

        await ShouldBeBrokenAtAsync(4);
    }

    [Fact]
    public async Task swapping_two_adjacent_entries_whole_rows_included_makes_verify_name_the_earlier_position()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        // Renumber the stored rows so 5 and 6 trade places: a reordering of the log.
        await api.ExecuteAsync("""
            UPDATE {schema}.audit_entries SET sequence = -sequence WHERE sequence IN (5, 6);
            UPDATE {schema}.audit_entries SET sequence = CASE sequence WHEN -5 THEN 6 ELSE 5 END WHERE sequence IN (-5, -6);
            """);

        await ShouldBeBrokenAtAsync(5);
    }

    [Fact]
    public async Task deleting_the_last_entry_is_caught_because_the_head_still_names_it()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync($"DELETE FROM {{schema}}.audit_entries WHERE sequence = {ChainLength}");

        await ShouldBeBrokenAtAsync(ChainLength, entriesChecked: ChainLength - 1);
    }

    [Fact]
    public async Task appending_a_well_formed_entry_without_moving_the_head_is_caught_at_that_entry()
    {
        await using var _ = await Restorer.BackUpAsync(api);
        var last = (await api.Service<AuditLog>().ReadAsync(null, afterSequence: ChainLength - 1, limit: 1, CancellationToken.None)).Single();
        var forged = new AuditEntry(ChainLength + 1, last.At.AddSeconds(1), "test-client", "deposit", last.SubjectIds, "accepted", null,
            "Moved 1000000 USD minor units.", last.Hash, "");
        forged = forged with { Hash = AuditChain.Compute(forged) };

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO {api.Schema}.audit_entries (sequence, at, actor, operation, subject_ids, outcome, code, detail, previous_hash, hash)
                VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9)
                """, connection);
            foreach (var value in new object[] { forged.Sequence, forged.At, forged.Actor, forged.Operation, forged.SubjectIds.ToArray(),
                         forged.Outcome, forged.Detail, forged.PreviousHash, forged.Hash })
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            (await insert.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await ShouldBeBrokenAtAsync(ChainLength + 1, entriesChecked: ChainLength + 1);
    }

    [Fact]
    public async Task emptying_the_trail_is_caught_because_the_head_still_names_the_last_entry()
    {
        await using var _ = await Restorer.BackUpAsync(api);

        await api.ExecuteAsync("DELETE FROM {schema}.audit_entries");

        await ShouldBeBrokenAtAsync(1, entriesChecked: 0);
    }
}
