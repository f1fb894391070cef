using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>GET /accounts/{id}/transactions: newest first, every member, cursor paging, nextCursor null on the last page.</summary>
public sealed class TransactionHistoryTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    /// <summary>An account credited 1000 at opening, then debited 1, 2, 3, 4 to another account, then credited 5 back.</summary>
    private async Task<(Guid Account, Guid Other, List<Guid> TransferIds)> AccountWithSixTransactionsAsync()
    {
        var client = api.Client();
        var account = await client.OpenIdAsync("EUR", initialBalance: 1_000);
        var other = await client.OpenIdAsync("EUR");
        var ids = new List<Guid>();
        for (var amount = 1; amount <= 4; amount++)
        {
            var body = new { fromAccountId = account, toAccountId = other, amount, currency = "EUR", reference = $"payment {amount}" };
            ids.Add((await client.SubmitAsync("/transfers", body)).ShouldBe(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>());
        }
        ids.Add((await client.SubmitAsync("/transfers", ContractHttp.Transfer(other, account, 5, "EUR"))).ShouldBe(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>());
        return (account, other, ids);
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task the_history_lists_every_movement_newest_first_with_every_member()
    {
        var (account, other, ids) = await AccountWithSixTransactionsAsync();

        var response = await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions");

        var page = response.ShouldBe(HttpStatusCode.OK).Json;
        page.AsObject().ContainsKey("nextCursor").ShouldBeTrue();
        page["nextCursor"].ShouldBeNull();
        var items = page["items"]!.AsArray();
        items.Count.ShouldBe(6, response.Text);
        items.Select(i => i!["amount"]!.GetValue<long>()).ShouldBe([5, 4, 3, 2, 1, 1_000]);
        items.Select(i => i!["direction"]!.GetValue<string>()).ShouldBe(["credit", "debit", "debit", "debit", "debit", "credit"]);
        items.Select(i => i!["balanceAfter"]!.GetValue<long>()).ShouldBe([995, 990, 994, 997, 999, 1_000]);
        items.Take(5).Select(i => i!["transferId"]!.GetValue<Guid>()).ShouldBe(Enumerable.Reverse(ids));
        items.Take(5).ShouldAllBe(i => i!["counterpartyId"]!.GetValue<Guid>() == other);
        items[1]!["reference"]!.GetValue<string>().ShouldBe("payment 4");
        items[0]!.AsObject().ContainsKey("reference").ShouldBeTrue();
        var timestamps = items.Select(i => i!["timestamp"]!.GetValue<DateTimeOffset>()).ToList();
        timestamps.ShouldBe(timestamps.OrderByDescending(t => t).ToList());
    }

    [Fact]
    public async Task the_counterparty_sees_the_mirror_image()
    {
        var (account, other, _) = await AccountWithSixTransactionsAsync();

        var items = (await api.FetchFreshAsync(api.Client(), $"/accounts/{other}/transactions")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray();

        items.Select(i => i!["direction"]!.GetValue<string>()).ShouldBe(["debit", "credit", "credit", "credit", "credit"]);
        items.ShouldAllBe(i => i!["counterpartyId"]!.GetValue<Guid>() == account);
        items[0]!["balanceAfter"]!.GetValue<long>().ShouldBe(5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task cursor_paging_walks_every_item_once_and_ends_with_a_null_cursor(int limit)
    {
        var (account, _, _) = await AccountWithSixTransactionsAsync();
        var all = (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray();

        var seen = new List<JsonNode>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = $"/accounts/{account}/transactions?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var response = await api.Client().FetchAsync(path);
            var page = response.ShouldBe(HttpStatusCode.OK).Json;
            var items = page["items"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(limit);
            items.Count.ShouldBeGreaterThan(0, $"a page after a non-null cursor must not be empty: {response.Text}");
            seen.AddRange(items.Select(i => i!.DeepClone()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
            pages.ShouldBeLessThanOrEqualTo(10);
        } while (cursor is not null);

        pages.ShouldBe((int)Math.Ceiling(6.0 / limit));
        seen.Count.ShouldBe(6);
        seen.Zip(all).ShouldAllBe(pair => JsonNode.DeepEquals(pair.First, pair.Second));
    }

    [Fact]
    public async Task without_a_limit_a_page_holds_100_transactions()
    {
        var account = await api.Client().OpenIdAsync("GBP");
        var deposits = await Task.WhenAll(Enumerable.Range(0, 101).Select(_ => api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 1, "GBP"))));
        deposits.ShouldAllBe(d => d.Status == HttpStatusCode.Created);

        var first = (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions")).ShouldBe(HttpStatusCode.OK).Json;
        first["items"]!.AsArray().Count.ShouldBe(100);
        first["items"]![0]!["balanceAfter"]!.GetValue<long>().ShouldBe(101);
        var cursor = first["nextCursor"]!.GetValue<string>();

        var last = (await api.Client().FetchAsync($"/accounts/{account}/transactions?cursor={Uri.EscapeDataString(cursor)}")).ShouldBe(HttpStatusCode.OK).Json;
        last["items"]!.AsArray().Single()!["balanceAfter"]!.GetValue<long>().ShouldBe(1);
        last["nextCursor"].ShouldBeNull();
    }

    [Fact]
    public async Task an_account_with_no_movement_has_an_empty_history()
    {
        var account = await api.Client().OpenIdAsync();

        var page = (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions")).ShouldBe(HttpStatusCode.OK).Json;

        page["items"]!.AsArray().ShouldBeEmpty();
        page["nextCursor"].ShouldBeNull();
    }

    [Fact]
    public async Task a_rejected_transfer_leaves_no_trace_in_the_history()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 10);
        var other = await api.Client().OpenIdAsync();

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 11))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_malformed_cursor_is_a_validation_failure()
    {
        var account = await api.Client().OpenIdAsync();

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions?cursor=banana")).ShouldBeValidationOf("cursor");
    }
}
