using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>Two-phase transfers over HTTP, row by row of the contract's state table (api.md, "Two-phase transfers").</summary>
public sealed class HoldTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private readonly HttpClient _client = api.Client();

    private async Task<(Guid From, Guid To)> AccountsAsync(long fromBalance = 1_000)
    {
        var from = await _client.OpenAccountAsync(initialBalance: fromBalance);
        var to = await _client.OpenAccountAsync();
        return (from, to);
    }

    private async Task<JsonNode> HoldAsync(Guid from, Guid to, long amount, int? timeoutSeconds = null)
    {
        object body = timeoutSeconds is { } t
            ? new { fromAccountId = from, toAccountId = to, amount, currency = "USD", pending = true, timeoutSeconds = t }
            : new { fromAccountId = from, toAccountId = to, amount, currency = "USD", pending = true };
        var (status, json) = await _client.PostJsonAsync("/transfers", body);
        status.ShouldBe(HttpStatusCode.Created, json?.ToJsonString());
        return json!;
    }

    private async Task<JsonNode> BalanceAsync(Guid account, string? minPosition = null)
    {
        var (status, json) = await _client.GetJsonAsync($"/accounts/{account}/balance" + (minPosition is null ? "" : $"?minPosition={minPosition}"));
        status.ShouldBe(HttpStatusCode.OK, json?.ToJsonString());
        return json!;
    }

    private static void ShouldBeProblem((HttpStatusCode Status, JsonNode? Body) answer, HttpStatusCode status, string code)
    {
        answer.Status.ShouldBe(status, answer.Body?.ToJsonString());
        answer.Body!["code"]!.GetValue<string>().ShouldBe(code);
    }

    [Fact]
    public async Task a_pending_transfer_moves_no_money_and_reserves_the_amount_on_both_sides()
    {
        var (from, to) = await AccountsAsync();

        var hold = await HoldAsync(from, to, 300, timeoutSeconds: 600);

        hold["status"]!.GetValue<string>().ShouldBe("pending");
        hold["pendingAmount"]!.GetValue<long>().ShouldBe(300);
        hold.AsObject().ContainsKey("postedAmount").ShouldBeFalse();
        var expiresAt = hold["expiresAt"]!.GetValue<DateTimeOffset>();
        expiresAt.ShouldBe(hold["timestamp"]!.GetValue<DateTimeOffset>().AddSeconds(600));
        var debited = await BalanceAsync(from, hold["position"]!.GetValue<string>());
        (debited["balance"]!.GetValue<long>(), debited["pendingDebits"]!.GetValue<long>(), debited["availableBalance"]!.GetValue<long>()).ShouldBe((1_000, 300, 700));
        var credited = await BalanceAsync(to, hold["position"]!.GetValue<string>());
        (credited["balance"]!.GetValue<long>(), credited["pendingCredits"]!.GetValue<long>(), credited["availableBalance"]!.GetValue<long>()).ShouldBe((0, 300, 0));
        var (_, account) = await _client.GetJsonAsync($"/accounts/{from}?minPosition={hold["position"]}");
        account!["availableBalance"]!.GetValue<long>().ShouldBe(700);
        (await _client.GetJsonAsync($"/transfers/{hold["id"]}")).Body!["status"]!.GetValue<string>().ShouldBe("pending");
    }

    [Fact]
    public async Task a_hold_needs_available_funds_and_what_it_holds_cannot_be_spent_twice()
    {
        var (from, to) = await AccountsAsync(fromBalance: 500);
        await HoldAsync(from, to, 400);

        var second = await _client.PostJsonAsync("/transfers", new { fromAccountId = from, toAccountId = to, amount = 200, currency = "USD", pending = true });
        var spend = await _client.PostJsonAsync("/transfers", new { fromAccountId = from, toAccountId = to, amount = 200, currency = "USD" });

        ShouldBeProblem(second, HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        ShouldBeProblem(spend, HttpStatusCode.UnprocessableEntity, "insufficient_funds");
    }

    [Fact]
    public async Task posting_moves_the_posted_amount_releases_the_whole_hold_and_the_same_post_again_answers_the_same()
    {
        var (from, to) = await AccountsAsync();
        var hold = await HoldAsync(from, to, 300);
        var id = hold["id"]!.GetValue<Guid>();

        var (status, posted) = await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 120 });

        status.ShouldBe(HttpStatusCode.OK, posted?.ToJsonString());
        posted!["status"]!.GetValue<string>().ShouldBe("posted");
        posted["postedAmount"]!.GetValue<long>().ShouldBe(120);
        posted["pendingAmount"]!.GetValue<long>().ShouldBe(300);
        var position = posted["position"]!.GetValue<string>();
        var debited = await BalanceAsync(from, position);
        (debited["balance"]!.GetValue<long>(), debited["pendingDebits"]!.GetValue<long>(), debited["availableBalance"]!.GetValue<long>()).ShouldBe((880, 0, 880));
        var credited = await BalanceAsync(to, position);
        (credited["balance"]!.GetValue<long>(), credited["pendingCredits"]!.GetValue<long>()).ShouldBe((120, 0));

        var audited = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries");
        var again = await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 120 });
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Body!.ToJsonString().ShouldBe(posted.ToJsonString());
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries")).ShouldBe(audited, "the same post again writes nothing");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 100 }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/void", new { }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
        (await _client.GetJsonAsync($"/transfers/{id}")).Body!["status"]!.GetValue<string>().ShouldBe("posted");
    }

    [Fact]
    public async Task a_post_without_amount_posts_all_and_above_the_held_amount_is_refused()
    {
        var (from, to) = await AccountsAsync();
        var id = (await HoldAsync(from, to, 250))["id"]!.GetValue<Guid>();

        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 251 }), HttpStatusCode.UnprocessableEntity, "amount_exceeds_pending");
        var (status, posted) = await _client.PostJsonAsync($"/transfers/{id}/post", new { });

        status.ShouldBe(HttpStatusCode.OK);
        posted!["postedAmount"]!.GetValue<long>().ShouldBe(250);
        (await _client.PostJsonAsync($"/transfers/{id}/post", new { })).Status.ShouldBe(HttpStatusCode.OK);
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 250 }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
    }

    [Fact]
    public async Task voiding_releases_the_hold_and_voiding_again_answers_the_same()
    {
        var (from, to) = await AccountsAsync();
        var id = (await HoldAsync(from, to, 300))["id"]!.GetValue<Guid>();

        var (status, voided) = await _client.PostJsonAsync($"/transfers/{id}/void", new { });

        status.ShouldBe(HttpStatusCode.OK);
        voided!["status"]!.GetValue<string>().ShouldBe("voided");
        var debited = await BalanceAsync(from, voided["position"]!.GetValue<string>());
        (debited["balance"]!.GetValue<long>(), debited["pendingDebits"]!.GetValue<long>()).ShouldBe((1_000, 0));
        using var bare = await _client.PostAsync($"/transfers/{id}/void", null);
        bare.StatusCode.ShouldBe(HttpStatusCode.OK, "void takes no body, or {}");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
    }

    [Fact]
    public async Task a_completed_transfer_is_not_pending_and_an_unknown_one_is_404()
    {
        var (from, to) = await AccountsAsync();
        var completed = (await _client.TransferAsync(from, to, 10))["id"]!.GetValue<Guid>();

        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{completed}/post", new { }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{completed}/void", new { }), HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{Guid.NewGuid()}/post", new { }), HttpStatusCode.NotFound, "not_found");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{Guid.NewGuid()}/void", new { }), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task a_hold_with_a_timeout_expires_within_five_seconds_and_then_refuses_post_and_void()
    {
        var (from, to) = await AccountsAsync();
        var hold = await HoldAsync(from, to, 300, timeoutSeconds: 1);
        var id = hold["id"]!.GetValue<Guid>();
        var expiresAt = hold["expiresAt"]!.GetValue<DateTimeOffset>();

        JsonNode transfer = null!;
        await Eventually.UntilAsync(
            async () => (transfer = (await _client.GetJsonAsync($"/transfers/{id}")).Body!)["status"]!.GetValue<string>() != "pending",
            expiresAt.AddSeconds(5), () => "the hold did not expire within 5 s of expiresAt");

        transfer["status"]!.GetValue<string>().ShouldBe("expired");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { }), HttpStatusCode.UnprocessableEntity, "transfer_expired");
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/void", new { }), HttpStatusCode.UnprocessableEntity, "transfer_expired");
        var debited = await BalanceAsync(from, transfer["position"]!.GetValue<string>());
        (debited["balance"]!.GetValue<long>(), debited["pendingDebits"]!.GetValue<long>()).ShouldBe((1_000, 0));
    }

    [Theory]
    [InlineData("""{"pending":false,"timeoutSeconds":10}""", "timeoutSeconds")]
    [InlineData("""{"timeoutSeconds":10}""", "timeoutSeconds")]
    [InlineData("""{"pending":true,"timeoutSeconds":0}""", "timeoutSeconds")]
    [InlineData("""{"pending":true,"timeoutSeconds":2592001}""", "timeoutSeconds")]
    [InlineData("""{"pending":"yes"}""", "pending")]
    public async Task timeout_seconds_is_1_to_2592000_and_only_with_pending(string members, string member)
    {
        var (from, to) = await AccountsAsync();
        var body = JsonNode.Parse(members)!.AsObject();
        body["fromAccountId"] = from;
        body["toAccountId"] = to;
        body["amount"] = 10;
        body["currency"] = "USD";

        var (status, problem) = await _client.PostRawAsync("/transfers", body.ToJsonString());

        status.ShouldBe(HttpStatusCode.BadRequest, problem?.ToJsonString());
        problem!["errors"]!.AsObject().ContainsKey(member).ShouldBeTrue(problem.ToJsonString());
    }

    [Fact]
    public async Task posting_needs_both_accounts_active_and_an_account_with_open_holds_cannot_close()
    {
        var (from, to) = await AccountsAsync();
        var id = (await HoldAsync(from, to, 100))["id"]!.GetValue<Guid>();
        var operatorClient = api.Operator();

        ShouldBeProblem(await operatorClient.PostJsonAsync($"/accounts/{to}/close", new { }), HttpStatusCode.UnprocessableEntity, "account_not_empty");
        (await operatorClient.PostJsonAsync($"/accounts/{to}/freeze", new { })).Status.ShouldBe(HttpStatusCode.OK);
        ShouldBeProblem(await _client.PostJsonAsync($"/transfers/{id}/post", new { }), HttpStatusCode.UnprocessableEntity, "account_frozen");
        (await _client.PostJsonAsync($"/transfers/{id}/void", new { })).Status.ShouldBe(HttpStatusCode.OK, "a void needs no active account");
    }

    [Fact]
    public async Task history_shows_a_hold_only_once_it_posts_with_the_posted_amount()
    {
        var (from, to) = await AccountsAsync();
        var neverPosted = (await HoldAsync(from, to, 50))["id"]!.GetValue<Guid>();
        var posted = (await HoldAsync(from, to, 300))["id"]!.GetValue<Guid>();
        await _client.PostJsonAsync($"/transfers/{neverPosted}/void", new { });
        var (_, answer) = await _client.PostJsonAsync($"/transfers/{posted}/post", new { amount = 120 });

        var (status, page) = await _client.GetJsonAsync($"/accounts/{to}/transactions?minPosition={answer!["position"]}");

        status.ShouldBe(HttpStatusCode.OK);
        var items = page!["items"]!.AsArray();
        items.Count.ShouldBe(1, page.ToJsonString());
        items[0]!["transferId"]!.GetValue<Guid>().ShouldBe(posted);
        items[0]!["amount"]!.GetValue<long>().ShouldBe(120);
    }

    [Fact]
    public async Task every_step_is_an_audit_entry_naming_the_transfer()
    {
        var (from, to) = await AccountsAsync();
        var id = (await HoldAsync(from, to, 100))["id"]!.GetValue<Guid>();
        await _client.PostJsonAsync($"/transfers/{id}/post", new { amount = 40 });
        await _client.PostJsonAsync($"/transfers/{id}/void", new { });

        var operations = await api.ScalarAsync<string>(
            $"SELECT string_agg(operation || ':' || outcome, ' ' ORDER BY sequence) FROM {{schema}}.audit_entries WHERE '{id}' = ANY(subject_ids)");

        operations.ShouldBe("transfer:accepted transfer.post:accepted transfer.void:rejected");
    }

    [Fact]
    public async Task a_pending_item_of_a_batch_answers_pending()
    {
        var (from, to) = await AccountsAsync();

        var (status, body) = await _client.PostJsonAsync("/transfers/batch", new
        {
            transfers = new object[]
            {
                new { fromAccountId = from, toAccountId = to, amount = 10, currency = "USD", pending = true, timeoutSeconds = 60 },
                new { fromAccountId = from, toAccountId = to, amount = 10, currency = "USD" },
            },
        });

        status.ShouldBe(HttpStatusCode.OK);
        body!["results"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()).ShouldBe(["pending", "completed"]);
    }

    [Fact]
    public async Task of_a_post_and_a_void_sent_at_once_on_each_of_20_holds_exactly_one_wins()
    {
        var (from, to) = await AccountsAsync(fromBalance: 100_000);
        var holds = new List<Guid>();
        for (var i = 0; i < 20; i++) holds.Add((await HoldAsync(from, to, 100 + i))["id"]!.GetValue<Guid>());

        var answers = await Task.WhenAll(holds.Select(async id =>
        {
            var post = _client.PostJsonAsync($"/transfers/{id}/post", new { });
            var cancel = api.Client().PostJsonAsync($"/transfers/{id}/void", new { });
            return (Post: await post, Void: await cancel);
        }));

        long postedTotal = 0;
        foreach (var (post, cancel) in answers)
        {
            new[] { post.Status, cancel.Status }.Count(s => s == HttpStatusCode.OK).ShouldBe(1, $"{post.Body?.ToJsonString()} / {cancel.Body?.ToJsonString()}");
            var loser = post.Status == HttpStatusCode.OK ? cancel : post;
            ShouldBeProblem(loser, HttpStatusCode.UnprocessableEntity, "transfer_not_pending");
            if (post.Status == HttpStatusCode.OK) postedTotal += post.Body!["postedAmount"]!.GetValue<long>();
        }
        var last = answers.SelectMany(a => new[] { a.Post, a.Void }).Where(a => a.Status == HttpStatusCode.OK).Select(a => a.Body!["position"]!.GetValue<string>());
        var credited = await BalanceAsync(to, last.MaxBy(p => long.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));
        (credited["balance"]!.GetValue<long>(), credited["pendingCredits"]!.GetValue<long>()).ShouldBe((postedTotal, 0));
    }

    [Fact]
    public async Task an_auditor_may_neither_post_nor_void()
    {
        var (from, to) = await AccountsAsync();
        var id = (await HoldAsync(from, to, 10))["id"]!.GetValue<Guid>();

        (await api.Auditor().PostJsonAsync($"/transfers/{id}/post", new { })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await api.Auditor().PostJsonAsync($"/transfers/{id}/void", new { })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _client.GetJsonAsync($"/transfers/{id}")).Body!["status"]!.GetValue<string>().ShouldBe("pending");
    }

    [Fact]
    public async Task as_of_an_instant_the_balance_answers_the_pending_totals_of_then()
    {
        var (from, to) = await AccountsAsync();
        var hold = await HoldAsync(from, to, 300);
        var held = hold["timestamp"]!.GetValue<DateTimeOffset>();
        await _client.PostJsonAsync($"/transfers/{hold["id"]}/post", new { amount = 100 });

        var (status, then) = await _client.GetJsonAsync($"/accounts/{from}/balance?asOf={Uri.EscapeDataString(held.ToString("O"))}");

        status.ShouldBe(HttpStatusCode.OK, then?.ToJsonString());
        (then!["balance"]!.GetValue<long>(), then["pendingDebits"]!.GetValue<long>(), then["availableBalance"]!.GetValue<long>()).ShouldBe((1_000, 300, 700));
        var now = await BalanceAsync(from);
        (now["balance"]!.GetValue<long>(), now["pendingDebits"]!.GetValue<long>(), now["availableBalance"]!.GetValue<long>()).ShouldBe((900, 0, 900));
    }
}
