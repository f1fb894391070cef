using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>GET /accounts: operator and auditor only, oldest first, cursor paging, currency filter, settlement accounts named as such.</summary>
public sealed class AccountListingTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private async Task<List<JsonNode>> ListAllAsync(HttpClient client, string query, int limit)
    {
        await api.WaitForProjectionsAsync();
        var all = new List<JsonNode>();
        string? cursor = null;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var path = $"/accounts?limit={limit}{query}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var response = await client.FetchAsync(path);
            var page = response.ShouldBe(HttpStatusCode.OK).Json;
            var items = page["items"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(limit);
            page.AsObject().ContainsKey("nextCursor").ShouldBeTrue(response.Text);
            cursor = page["nextCursor"]?.GetValue<string>();
            if (cursor is not null) items.Count.ShouldBe(limit, $"only the last page may be short: {response.Text}");
            else items.Count.ShouldBeGreaterThan(0, $"the last page must not be an empty one after a full page: {response.Text}");
            all.AddRange(items.Select(i => i!.DeepClone()));
            if (cursor is null) return all;
        }
        throw new ShouldAssertException("paging did not end");
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task the_listing_pages_through_every_account_oldest_first()
    {
        var opened = new List<Guid>();
        for (var i = 0; i < 7; i++) opened.Add(await api.Client().OpenIdAsync("CNY"));

        foreach (var limit in new[] { 1, 3, 7, 1000 })
        {
            var listed = (await ListAllAsync(api.Operator(), "&currency=CNY", limit)).Select(a => a["id"]!.GetValue<Guid>()).ToList();
            listed.Where(opened.Contains).ShouldBe(opened, $"limit {limit}");
            listed.Distinct().Count().ShouldBe(listed.Count);
        }
    }

    [Fact]
    public async Task the_currency_filter_lists_only_that_currency()
    {
        var franc = await api.Client().OpenIdAsync("CHF");
        var yen = await api.Client().OpenIdAsync("JPY");

        var listed = await ListAllAsync(api.Auditor(), "&currency=CHF", 1000);

        listed.ShouldAllBe(a => a["currency"]!.GetValue<string>() == "CHF");
        listed.Select(a => a["id"]!.GetValue<Guid>()).ShouldContain(franc);
        listed.Select(a => a["id"]!.GetValue<Guid>()).ShouldNotContain(yen);
    }

    [Fact]
    public async Task the_listing_holds_full_accounts_and_the_settlement_account_named_as_such()
    {
        var account = await api.Client().OpenAsync("GBP", initialBalance: 900, name: "listed");
        var id = account["id"]!.GetValue<Guid>();

        var listed = await ListAllAsync(api.Operator(), "&currency=GBP", 1000);

        var mine = listed.Single(a => a["id"]!.GetValue<Guid>() == id);
        mine["name"]!.GetValue<string>().ShouldBe("listed");
        mine["balance"]!.GetValue<long>().ShouldBe(900);
        mine["status"]!.GetValue<string>().ShouldBe("active");
        foreach (var member in new[] { "id", "currency", "name", "status", "allowNegative", "balance", "version", "openedAt", "position" })
            mine.AsObject().ContainsKey(member).ShouldBeTrue(member);
        var settlement = listed.Where(a => a["name"]?.GetValue<string>() is { } name && name.Contains("settlement", StringComparison.OrdinalIgnoreCase)).ToList();
        settlement.Count.ShouldBe(1, "one settlement account per currency");
        settlement[0]["allowNegative"]!.GetValue<bool>().ShouldBeTrue();
        settlement[0]["balance"]!.GetValue<long>().ShouldBe(-listed.Where(a => a != settlement[0]).Sum(a => a["balance"]!.GetValue<long>()));
    }

    [Fact]
    public async Task without_a_limit_a_page_holds_100_accounts()
    {
        await Task.WhenAll(Enumerable.Range(0, 101).Select(_ => api.Client().OpenIdAsync("USD")));

        var page = (await api.FetchFreshAsync(api.Operator(), "/accounts")).ShouldBe(HttpStatusCode.OK).Json;

        page["items"]!.AsArray().Count.ShouldBe(100);
        page["nextCursor"].ShouldNotBeNull();
    }

    [Fact]
    public async Task every_supported_currency_lists_its_settlement_account_even_before_any_movement()
    {
        var listed = await ListAllAsync(api.Auditor(), "&currency=CNY", 1000);

        listed.Count(a => a["name"]?.GetValue<string>()?.Contains("settlement", StringComparison.OrdinalIgnoreCase) == true).ShouldBe(1);
    }

    [Fact]
    public async Task a_client_may_not_list_accounts()
    {
        (await api.FetchFreshAsync(api.Client(), "/accounts")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.FetchFreshAsync(api.Client(null), "/accounts")).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task a_malformed_cursor_is_a_validation_failure() =>
        (await api.FetchFreshAsync(api.Operator(), "/accounts?cursor=zzz")).ShouldBeValidationOf("cursor");
}
