using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>GET /audit and /audit/verify: every accepted or business-rejected write, oldest first, by key name, chained.</summary>
public sealed class AuditTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly string[] EntryMembers =
        ["sequence", "at", "actor", "operation", "subjectIds", "outcome", "detail", "hash", "previousHash"];

    private async Task<List<JsonNode>> ReadAllAsync(string query, int limit)
    {
        var all = new List<JsonNode>();
        string? after = null;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var response = await api.Auditor().FetchAsync($"/audit?limit={limit}{query}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}"));
            var page = response.ShouldBe(HttpStatusCode.OK).Json;
            page.AsObject().ContainsKey("nextCursor").ShouldBeTrue(response.Text);
            var items = page["items"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(limit);
            after = page["nextCursor"]?.GetValue<string>();
            if (after is not null) items.Count.ShouldBe(limit, $"only the last page may be short: {response.Text}");
            else if (all.Count > 0) items.Count.ShouldBeGreaterThan(0, $"the last page must not be an empty one after a full page: {response.Text}");
            all.AddRange(items.Select(i => i!.DeepClone()));
            if (after is null) return all;
        }
        throw new ShouldAssertException("paging did not end");
    }

    private static IEnumerable<JsonNode> Naming(IEnumerable<JsonNode> entries, Guid id) =>
        entries.Where(e => e["subjectIds"]!.AsArray().Any(s => s!.GetValue<Guid>() == id));

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task accepted_writes_are_audited_under_the_keys_name_never_the_key()
    {
        var account = await api.Client().OpenIdAsync("EUR", initialBalance: 100);
        var other = await api.Operator().OpenIdAsync("EUR");
        var transfer = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 30, "EUR"))).ShouldBe(HttpStatusCode.Created).Json;
        (await api.Operator().PostEmptyAsync($"/accounts/{other}/freeze")).ShouldBe(HttpStatusCode.OK);

        var response = await api.Auditor().FetchAsync($"/audit?accountId={account}");
        response.Text.ShouldNotContain(LedgerApiFactory.ClientKey);
        response.Text.ShouldNotContain(LedgerApiFactory.OperatorKey);
        var entries = response.ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray().Select(e => e!).ToList();

        entries.Count.ShouldBe(2, response.Text);
        foreach (var entry in entries)
        {
            foreach (var member in EntryMembers) entry.AsObject().ContainsKey(member).ShouldBeTrue($"audit entry lacks '{member}': {entry.ToJsonString()}");
            entry["actor"]!.GetValue<string>().ShouldBe("test-client");
            entry["outcome"]!.GetValue<string>().ShouldBe("accepted");
            entry["detail"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
            entry["hash"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
            entry["at"]!.GetValue<DateTimeOffset>().Offset.ShouldBe(TimeSpan.Zero);
        }
        entries[0]["sequence"]!.GetValue<long>().ShouldBeLessThan(entries[1]["sequence"]!.GetValue<long>());
        entries[1]["subjectIds"]!.AsArray().Select(s => s!.GetValue<Guid>()).ShouldContain(transfer["id"]!.GetValue<Guid>());
        entries[1]["subjectIds"]!.AsArray().Select(s => s!.GetValue<Guid>()).ShouldContain(other);

        var freeze = Naming(await ReadAllAsync($"&accountId={other}", 1000), other).Last();
        freeze["actor"]!.GetValue<string>().ShouldBe("test-operator");
        freeze["outcome"]!.GetValue<string>().ShouldBe("accepted");
        freeze.AsObject().ContainsKey("code").ShouldBeFalse("code is present only on rejected writes");
    }

    [Fact]
    public async Task a_business_rejection_is_audited_with_its_code()
    {
        var account = await api.Client().OpenIdAsync("GBP");
        var other = await api.Client().OpenIdAsync("GBP");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 5, "GBP"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        var entries = await ReadAllAsync($"&accountId={account}", 1000);

        var rejected = entries.Last();
        rejected["outcome"]!.GetValue<string>().ShouldBe("rejected");
        rejected["code"]!.GetValue<string>().ShouldBe("insufficient_funds");
        rejected["actor"]!.GetValue<string>().ShouldBe("test-client");
    }

    [Fact]
    public async Task a_validation_failure_is_not_audited()
    {
        var account = await api.Client().OpenIdAsync("CHF");
        var before = (await ReadAllAsync($"&accountId={account}", 1000)).Count;

        (await api.Client().SubmitAsync("/deposits", new { accountId = account, amount = 0, currency = "CHF" })).ShouldBeValidationOf("amount");

        (await ReadAllAsync($"&accountId={account}", 1000)).Count.ShouldBe(before);
    }

    [Fact]
    public async Task the_account_filter_returns_only_entries_naming_that_account()
    {
        var watched = await api.Client().OpenIdAsync("JPY", initialBalance: 10);
        var bystander = await api.Client().OpenIdAsync("JPY", initialBalance: 10);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(bystander, 1, "JPY"))).ShouldBe(HttpStatusCode.Created);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(watched, 1, "JPY"))).ShouldBe(HttpStatusCode.Created);

        var entries = await ReadAllAsync($"&accountId={watched}", 1000);

        entries.Count.ShouldBe(2);
        entries.ShouldAllBe(e => e["subjectIds"]!.AsArray().Any(s => s!.GetValue<Guid>() == watched));
        (await ReadAllAsync($"&accountId={Guid.NewGuid()}", 1000)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public async Task paging_with_after_walks_the_whole_trail_oldest_first_once(int limit)
    {
        for (var i = 0; i < 4; i++) await api.Client().OpenIdAsync("CNY", initialBalance: 1 + i);
        await api.Client().OpenIdAsync("CNY");
        var whole = await ReadAllAsync("", 1000);

        var paged = await ReadAllAsync("", limit);

        paged.Count.ShouldBeGreaterThanOrEqualTo(whole.Count);
        var sequences = paged.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        sequences.ShouldBe(sequences.Order().Distinct().ToList());
        sequences.Take(whole.Count).ShouldBe(whole.Select(e => e["sequence"]!.GetValue<long>()));
        sequences[0].ShouldBe(1);
        for (var i = 1; i < paged.Count; i++)
            paged[i]["previousHash"]!.GetValue<string>().ShouldBe(paged[i - 1]["hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task without_a_limit_a_page_holds_100_entries()
    {
        await Task.WhenAll(Enumerable.Range(0, 101).Select(_ => api.Client().OpenIdAsync()));

        var page = (await api.Operator().FetchAsync("/audit")).ShouldBe(HttpStatusCode.OK).Json;

        page["items"]!.AsArray().Count.ShouldBe(100);
        page["nextCursor"].ShouldNotBeNull();
    }

    [Fact]
    public async Task a_malformed_after_cursor_is_a_validation_failure() =>
        (await api.Auditor().FetchAsync("/audit?after=yesterday")).ShouldBeValidationOf("after");

    [Fact]
    public async Task the_subjects_index_keeps_no_pending_list_for_a_writer_to_merge()
    {
        var options = await api.ScalarAsync<string>(
            "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = '{schema}.audit_entries_subjects'::regclass");

        options.ShouldContain("fastupdate=off");
    }

    [Fact]
    public async Task the_untouched_trail_verifies_and_counts_every_entry()
    {
        await api.Client().OpenIdAsync(initialBalance: 3);
        var entries = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries");

        var response = await api.Auditor().FetchAsync("/audit/verify");

        var verdict = response.ShouldBe(HttpStatusCode.OK).Json;
        verdict["valid"]!.GetValue<bool>().ShouldBeTrue(response.Text);
        verdict["entriesChecked"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(entries);
        verdict.AsObject().ContainsKey("firstInvalidSequence").ShouldBeTrue();
        verdict["firstInvalidSequence"].ShouldBeNull();
    }

    [Fact]
    public async Task a_client_may_not_read_the_audit()
    {
        (await api.Client().FetchAsync("/audit")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Client().FetchAsync("/audit/verify")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
    }
}

/// <summary>Tampering with stored audit entries: its own schema, since it breaks the chain on purpose.</summary>
public sealed class AuditTamperingTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private async Task SwapSequencesAsync(long a, long b)
    {
        await api.ExecuteAsync($"UPDATE {{schema}}.audit_entries SET sequence = -1 WHERE sequence = {a}");
        await api.ExecuteAsync($"UPDATE {{schema}}.audit_entries SET sequence = {a} WHERE sequence = {b}");
        await api.ExecuteAsync($"UPDATE {{schema}}.audit_entries SET sequence = {b} WHERE sequence = -1");
    }

    private async Task<JsonNode> VerifyAsync() => (await api.Auditor().FetchAsync("/audit/verify")).ShouldBe(HttpStatusCode.OK).Json;

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task editing_deleting_or_reordering_an_entry_makes_the_trail_invalid()
    {
        for (var i = 0; i < 5; i++) await api.Client().OpenIdAsync(initialBalance: 10 + i);
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeTrue();

        // An edit of the content.
        await api.ExecuteAsync("UPDATE {schema}.audit_entries SET detail = detail || ' (edited)' WHERE sequence = 3");
        var edited = await VerifyAsync();
        edited["valid"]!.GetValue<bool>().ShouldBeFalse();
        edited["firstInvalidSequence"]!.GetValue<long>().ShouldBe(3);
        await api.ExecuteAsync("UPDATE {schema}.audit_entries SET detail = replace(detail, ' (edited)', '') WHERE sequence = 3");
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeTrue();

        // An edit of the actor.
        await api.ExecuteAsync("UPDATE {schema}.audit_entries SET actor = 'someone-else' WHERE sequence = 2");
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeFalse();
        await api.ExecuteAsync("UPDATE {schema}.audit_entries SET actor = 'test-client' WHERE sequence = 2");
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeTrue();

        // A reordering: two entries swap their sequence numbers.
        await SwapSequencesAsync(2, 4);
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeFalse();
        await SwapSequencesAsync(2, 4);
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeTrue();

        // A deletion in the middle, then of the newest entry.
        await api.ExecuteAsync("CREATE TABLE {schema}.audit_backup AS SELECT * FROM {schema}.audit_entries");
        await api.ExecuteAsync("DELETE FROM {schema}.audit_entries WHERE sequence = 2");
        var deleted = await VerifyAsync();
        deleted["valid"]!.GetValue<bool>().ShouldBeFalse();
        deleted["firstInvalidSequence"]!.GetValue<long>().ShouldBe(2);
        await api.ExecuteAsync("INSERT INTO {schema}.audit_entries SELECT * FROM {schema}.audit_backup WHERE sequence = 2");
        await api.ExecuteAsync("DELETE FROM {schema}.audit_entries WHERE sequence = (SELECT max(sequence) FROM {schema}.audit_entries)");
        (await VerifyAsync())["valid"]!.GetValue<bool>().ShouldBeFalse();
    }
}
