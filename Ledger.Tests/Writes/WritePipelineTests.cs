using System.Net;
using System.Text.Json.Nodes;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
using Ledger.Domain.Transfers;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Writes;

/// <summary>The committer's contract: one transaction per batch, per-write outcomes, all or nothing on a database error.</summary>
public sealed class WritePipelineTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{

    private static TransferWrite Transfer(Guid from, Guid to, long amount) =>
        new(Guid.NewGuid(), [1], "test", MovementKind.Transfer, new TransferFunds(Guid.NewGuid(), from, to, amount, "USD", null, default), null);

    [Fact]
    public async Task one_rejected_write_in_a_batch_does_not_fail_the_others_and_later_writes_see_earlier_ones()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();

        var outcomes = await api.Service<LedgerWriter>().ExecuteAsync(
        [
            Transfer(a, b, 70),   // accepted
            Transfer(a, b, 70),   // only 30 left: insufficient funds
            Transfer(b, a, 70),   // spends what the first one credited
        ], DateTimeOffset.UtcNow, CancellationToken.None);

        outcomes[0].ShouldBeOfType<Committed>().Replayed.ShouldBeFalse();
        outcomes[1].ShouldBeOfType<Refused>().Code.ShouldBe("insufficient_funds");
        outcomes[2].ShouldBeOfType<Committed>().Replayed.ShouldBeFalse();
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{a}'")).ShouldBe(100);
        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.audit_entries WHERE outcome = 'rejected' AND '{a}' = ANY(subject_ids)")).ShouldBe(1);
    }

    /// <summary>
    /// Committers in two processes share nothing but the database: here eight transactions of the same
    /// transfer id run at once, as if from eight API instances. Only the append lock keeps them apart.
    /// </summary>
    [Fact]
    public async Task committers_writing_the_same_id_at_once_move_the_money_once_and_replay_it_to_the_rest()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var write = Transfer(a, b, 30);
        var writer = api.Service<LedgerWriter>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(async () => (await writer.ExecuteAsync([write], DateTimeOffset.UtcNow, CancellationToken.None))[0])));

        outcomes.Count(o => !o.ShouldBeOfType<Committed>().Replayed).ShouldBe(1, "one of them wrote, the others were answered from its record");
        outcomes.Select(o => ((TransferResult)((Committed)o).Result).Position).Distinct().Count().ShouldBe(1);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{b}'")).ShouldBe(30);
        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.commands WHERE id = '{write.Id}'")).ShouldBe(1);
    }

    [Fact]
    public async Task a_database_error_fails_the_whole_batch_and_leaves_nothing_written()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var eventsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events");
        var auditBefore = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries");
        // The audit insert comes last in the transaction, after events and snapshots have been written.
        await api.ExecuteAsync("""
            CREATE FUNCTION {schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON {schema}.audit_entries FOR EACH ROW EXECUTE FUNCTION {schema}.refuse();
            """);
        try
        {
            var pipeline = api.Service<WritePipeline>();
            // Every write fails: as a batch, then (a data error, not a lost connection) one by one.
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
            {
                try
                {
                    return await pipeline.SubmitAsync(Transfer(a, b, 10));
                }
                catch (Exception e) when (e is Npgsql.PostgresException or Marten.Exceptions.MartenCommandException)
                {
                    return null;
                }
            }));
            outcomes.ShouldAllBe(o => o == null || o is Unavailable);
        }
        finally
        {
            await api.ExecuteAsync("DROP TRIGGER refuse ON {schema}.audit_entries; DROP FUNCTION {schema}.refuse();");
        }

        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events")).ShouldBe(eventsBefore);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries")).ShouldBe(auditBefore);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{a}'")).ShouldBe(100);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.commands WHERE status_code IS NULL")).ShouldBe(0);
    }

    [Fact]
    public async Task a_database_error_answers_503_with_retry_after_over_http()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        await api.ExecuteAsync("""
            CREATE FUNCTION {schema}.refuse_http() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
            CREATE TRIGGER refuse_http BEFORE INSERT ON {schema}.audit_entries FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_http();
            """);
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync("/transfers", JsonContent(new { fromAccountId = a, toAccountId = b, amount = 5, currency = "USD" }));
        }
        finally
        {
            await api.ExecuteAsync("DROP TRIGGER refuse_http ON {schema}.audit_entries; DROP FUNCTION {schema}.refuse_http();");
        }
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>().ShouldBe("unavailable");
    }

    [Fact]
    public async Task an_atomic_batch_with_one_failing_transfer_applies_none_and_links_the_rest()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var (status, body) = await client.PostJsonAsync("/transfers/batch", new
        {
            atomic = true,
            transfers = new object[]
            {
                new { fromAccountId = a, toAccountId = b, amount = 40, currency = "USD" },
                new { fromAccountId = b, toAccountId = a, amount = 10, currency = "USD" },
                new { fromAccountId = a, toAccountId = b, amount = 500, currency = "USD" },
            },
        });

        status.ShouldBe(HttpStatusCode.OK);
        var results = body!["results"]!.AsArray();
        results.Select(r => r!["status"]!.GetValue<string>()).ShouldAllBe(s => s == "rejected");
        results.Select(r => r!["code"]!.GetValue<string>()).ShouldBe(["linked_failed", "linked_failed", "insufficient_funds"]);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{b}'")).ShouldBe(0);
    }

    [Fact]
    public async Task a_non_atomic_batch_applies_in_order_and_answers_each_transfer_in_request_order()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        var (status, body) = await client.PostJsonAsync("/transfers/batch", new
        {
            atomic = false,
            transfers = new object[]
            {
                new { id = ids[0], fromAccountId = a, toAccountId = b, amount = 100, currency = "USD" },
                new { id = ids[1], fromAccountId = a, toAccountId = b, amount = 1, currency = "USD" },
                new { id = ids[2], fromAccountId = b, toAccountId = a, amount = 100, currency = "USD" },
            },
        });

        status.ShouldBe(HttpStatusCode.OK);
        var results = body!["results"]!.AsArray();
        results.Select(r => r!["id"]!.GetValue<Guid>()).ShouldBe(ids);
        results.Select(r => r!["status"]!.GetValue<string>()).ShouldBe(["completed", "rejected", "completed"]);
        results[1]!["code"]!.GetValue<string>().ShouldBe("insufficient_funds");
        results[0]!["position"].ShouldNotBeNull();
        (await client.GetJsonAsync($"/transfers/{ids[2]}")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_batch_with_one_malformed_transfer_is_refused_whole_before_anything_is_applied()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var (status, body) = await client.PostJsonAsync("/transfers/batch", new
        {
            transfers = new object[]
            {
                new { fromAccountId = a, toAccountId = b, amount = 10, currency = "USD" },
                new { fromAccountId = a, toAccountId = b, amount = -1, currency = "USD" },
            },
        });
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["errors"]!["transfers[1].amount"].ShouldNotBeNull();
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{a}'")).ShouldBe(100);
    }

    [Fact]
    public async Task a_write_the_database_refuses_for_itself_fails_alone_and_its_batch_neighbours_commit()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 10_000);
        var b = await client.OpenAccountAsync();
        // A data error only one write can hit: the database refuses the event carrying this reference.
        await api.ExecuteAsync("""
            CREATE FUNCTION {schema}.poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poisoned write'; END $$;
            CREATE TRIGGER poison BEFORE INSERT ON {schema}.mt_events FOR EACH ROW WHEN (NEW.data->>'reference' = 'poison') EXECUTE FUNCTION {schema}.poison();
            """);
        try
        {
            var pipeline = api.Service<WritePipeline>();
            var writes = Enumerable.Range(0, 20).Select(i => new TransferWrite(Guid.NewGuid(), [1], "test", MovementKind.Transfer,
                new TransferFunds(Guid.NewGuid(), a, b, 1, "USD", i == 10 ? "poison" : null, default), null)).ToList();
            var outcomes = await Task.WhenAll(writes.Select(async w =>
            {
                try
                {
                    return await pipeline.SubmitAsync(w);
                }
                catch (Exception e) when (e is Npgsql.PostgresException or Marten.Exceptions.MartenCommandException)
                {
                    return null;
                }
            }));

            outcomes.Where((_, i) => i != 10).ShouldAllBe(o => o is Committed);
            outcomes[10].ShouldNotBeOfType<Committed>();
        }
        finally
        {
            await api.ExecuteAsync("DROP TRIGGER poison ON {schema}.mt_events; DROP FUNCTION {schema}.poison();");
        }
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{b}'")).ShouldBe(19);
    }

    [Fact]
    public async Task a_request_without_a_key_is_401_whatever_its_content_type_and_with_a_key_a_non_json_body_is_415()
    {
        var body = new StringContent("hello", System.Text.Encoding.UTF8, "text/plain");
        (await api.Client(null).PostAsync("/transfers", body)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.Client(null).PostAsync("/transfers", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var keyed = await api.Client().PostAsync("/transfers", new StringContent("hello", System.Text.Encoding.UTF8, "text/plain"));
        keyed.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        keyed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
