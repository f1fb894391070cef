using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>What the audit trail records for the writes a client makes, and that its chain verifies.</summary>
public sealed class AuditTrailTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private Task<long> LastSequenceAsync() => api.ScalarAsync<long>("SELECT coalesce(max(sequence), 0) FROM {schema}.audit_entries");

    private static async Task<JsonNode> ExpectAsync(Task<(HttpStatusCode Status, JsonNode? Body)> call, HttpStatusCode status, string? code = null)
    {
        var (actual, body) = await call;
        actual.ShouldBe(status, body?.ToJsonString());
        if (code is not null) body!["code"]!.GetValue<string>().ShouldBe(code);
        return body!;
    }

    [Fact]
    public async Task every_accepted_and_every_business_rejected_write_leaves_one_entry_and_a_replay_leaves_none()
    {
        var client = api.Client();
        var op = api.Operator();
        var before = await LastSequenceAsync();
        var (a, b, c, t1, rejected) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var openA = new { id = a, currency = "USD", initialBalance = 1_000 };
        var transfer1 = new { id = t1, fromAccountId = a, toAccountId = b, amount = 300, currency = "USD" };
        var tooMuch = new { id = rejected, fromAccountId = a, toAccountId = b, amount = 5_000, currency = "USD" };
        // What each request must leave in the trail, in order (requests are sequential, so entries are too).
        var expected = new List<(string Actor, string Operation, string Outcome, string? Code)>();

        await ExpectAsync(client.PostJsonAsync("/accounts", openA), HttpStatusCode.Created);
        expected.Add(("test-client", "account.open", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/accounts", new { id = b, currency = "USD" }), HttpStatusCode.Created);
        expected.Add(("test-client", "account.open", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/accounts", new { id = c, currency = "EUR" }), HttpStatusCode.Created);
        expected.Add(("test-client", "account.open", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/transfers", transfer1), HttpStatusCode.Created);
        expected.Add(("test-client", "transfer", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/transfers", tooMuch), HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        expected.Add(("test-client", "transfer", "rejected", "insufficient_funds"));
        await ExpectAsync(client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = c, amount = 10, currency = "USD" }),
            HttpStatusCode.UnprocessableEntity, "currency_mismatch");
        expected.Add(("test-client", "transfer", "rejected", "currency_mismatch"));
        await ExpectAsync(client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = Guid.NewGuid(), amount = 10, currency = "USD" }),
            HttpStatusCode.UnprocessableEntity, "account_not_found");
        expected.Add(("test-client", "transfer", "rejected", "account_not_found"));
        await ExpectAsync(client.PostJsonAsync("/deposits", new { accountId = b, amount = 50, currency = "USD" }), HttpStatusCode.Created);
        expected.Add(("test-client", "deposit", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/withdrawals", new { accountId = b, amount = 10_000, currency = "USD" }),
            HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        expected.Add(("test-client", "withdrawal", "rejected", "insufficient_funds"));
        await ExpectAsync(client.PostJsonAsync("/withdrawals", new { accountId = b, amount = 20, currency = "USD" }), HttpStatusCode.Created);
        expected.Add(("test-client", "withdrawal", "accepted", null));

        // Replays write nothing: not a 200 of an accepted create, not a remembered 422.
        await ExpectAsync(client.PostJsonAsync("/transfers", transfer1), HttpStatusCode.OK);
        await ExpectAsync(client.PostJsonAsync("/accounts", openA), HttpStatusCode.OK);
        await ExpectAsync(client.PostJsonAsync("/transfers", tooMuch), HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        // A malformed request is no write at all.
        await ExpectAsync(client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = b, amount = 0, currency = "USD" }),
            HttpStatusCode.BadRequest, "validation_failed");

        (await op.PostAsync($"/accounts/{c}/freeze", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        expected.Add(("test-operator", "account.freeze", "accepted", null));
        await ExpectAsync(client.PostJsonAsync("/deposits", new { accountId = c, amount = 5, currency = "EUR" }),
            HttpStatusCode.UnprocessableEntity, "account_frozen");
        expected.Add(("test-client", "deposit", "rejected", "account_frozen"));

        var entries = await api.Auditor().ReadAuditAsync(before, limit: 4);
        entries.Select(e => (e["actor"]!.GetValue<string>(), e["operation"]!.GetValue<string>(), e["outcome"]!.GetValue<string>(),
                e["code"]?.GetValue<string>()))
            .ShouldBe(expected);
        entries.Select(e => e["sequence"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, expected.Count).Select(n => before + n));
        (await LastSequenceAsync()).ShouldBe(before + expected.Count, "nothing was recorded after the last expected entry");

        var transferEntry = entries[3];
        transferEntry["subjectIds"]!.AsArray().Select(s => s!.GetValue<Guid>()).ShouldBe([t1, a, b]);
        transferEntry["detail"]!.GetValue<string>().ShouldContain("300");
        entries[4]["subjectIds"]!.AsArray().Select(s => s!.GetValue<Guid>()).ShouldBe([rejected, a, b]);
    }

    [Fact]
    public async Task the_actor_is_the_keys_configured_name_and_no_key_appears_anywhere_in_the_trail()
    {
        var client = api.Client();
        var before = await LastSequenceAsync();
        var account = await client.OpenAccountAsync("CHF", initialBalance: 10);
        await ExpectAsync(client.PostJsonAsync("/withdrawals", new { accountId = account, amount = 11, currency = "CHF" }),
            HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        (await api.Operator().PostAsync($"/accounts/{account}/freeze", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var entries = await api.Auditor().ReadAuditAsync(before);
        entries.Select(e => e["actor"]!.GetValue<string>()).ShouldBe(["test-client", "test-client", "test-operator"]);
        var everything = (await api.Auditor().GetOkAsync("/audit?limit=1000")).ToJsonString();
        foreach (var key in new[] { LedgerApiFactory.ClientKey, LedgerApiFactory.OperatorKey, LedgerApiFactory.AuditorKey })
            everything.ShouldNotContain(key);
        (await api.ScalarAsync<long>(
            $"SELECT count(*) FROM {{schema}}.audit_entries WHERE actor LIKE '%-key%' OR detail LIKE '%{LedgerApiFactory.ClientKey}%'")).ShouldBe(0);
    }

    [Fact]
    public async Task filtering_the_trail_by_account_returns_only_the_entries_naming_it_oldest_first()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("JPY", initialBalance: 500);
        var other = await client.OpenAccountAsync("JPY");
        await client.TransferAsync(account, other, 100, "JPY");
        await client.TransferAsync(other, account, 40, "JPY");
        await client.OpenAccountAsync("JPY", initialBalance: 7); // names neither

        var entries = await api.Auditor().ReadAuditAsync(accountId: other, limit: 2);

        entries.Select(e => e["operation"]!.GetValue<string>()).ShouldBe(["account.open", "transfer", "transfer"]);
        entries.ShouldAllBe(e => e["subjectIds"]!.AsArray().Any(s => s!.GetValue<Guid>() == other));
        var sequences = entries.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        sequences.ShouldBe(sequences.Order().ToList());
    }

    [Fact]
    public async Task verify_is_valid_on_an_untouched_chain_and_checks_every_entry()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("USD", initialBalance: 100);
        await ExpectAsync(client.PostJsonAsync("/withdrawals", new { accountId = account, amount = 1_000, currency = "USD" }),
            HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        var (valid, entriesChecked, firstInvalid) = await api.Auditor().VerifyAuditAsync();

        valid.ShouldBeTrue();
        firstInvalid.ShouldBeNull();
        entriesChecked.ShouldBe(await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries"));
        entriesChecked.ShouldBeGreaterThanOrEqualTo(2);
        // The chain the API shows links each entry to the one before it.
        var entries = await api.Auditor().ReadAuditAsync();
        entries[0]["previousHash"]!.GetValue<string>().ShouldBe(new string('0', 64));
        for (var i = 1; i < entries.Count; i++)
            entries[i]["previousHash"]!.GetValue<string>().ShouldBe(entries[i - 1]["hash"]!.GetValue<string>());
    }
}
