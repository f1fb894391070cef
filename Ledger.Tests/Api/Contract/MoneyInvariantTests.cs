using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>Double entry seen from outside: after any mix of writes, accepted or not, every currency sums to zero.</summary>
public sealed class MoneyInvariantTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly string[] Currencies = ["USD", "EUR", "JPY"];

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_random_mix_of_writes_keeps_every_currency_summing_to_zero_on_both_sides()
    {
        var random = new Random(20261122);
        var accounts = new List<(Guid Id, string Currency)>();
        foreach (var currency in Currencies)
            for (var i = 0; i < 4; i++)
                accounts.Add((await api.Client().OpenIdAsync(currency, initialBalance: i == 0 ? 0 : random.Next(1, 500)), currency));
        var overdraft = (await api.Operator().OpenAsync("EUR", allowNegative: true))["id"]!.GetValue<Guid>();
        accounts.Add((overdraft, "EUR"));

        var statuses = new List<HttpStatusCode>();
        for (var n = 0; n < 120; n++)
        {
            var (account, currency) = accounts[random.Next(accounts.Count)];
            var amount = random.Next(1, 300);
            var response = random.Next(8) switch
            {
                0 => await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, amount, currency)),
                1 => await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, amount, currency)),
                2 => await api.Operator().PostEmptyAsync($"/accounts/{account}/{(random.Next(2) == 0 ? "freeze" : "unfreeze")}"),
                3 => await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, accounts[random.Next(accounts.Count)].Id, amount, currency)),
                _ => await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, accounts.Where(a => a.Currency == currency && a.Id != account).ElementAt(random.Next(3)).Id, amount, currency)),
            };
            statuses.Add(response.Status);
            response.Status.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity, HttpStatusCode.BadRequest], response.ToString());
        }
        statuses.Count(s => s == HttpStatusCode.Created).ShouldBeGreaterThan(20);
        statuses.Count(s => s == HttpStatusCode.UnprocessableEntity).ShouldBeGreaterThan(0);

        await api.ShouldKeepEveryCurrencyBalancedAsync();
        await api.WaitForProjectionsAsync();
        (await api.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT currency FROM {schema}.balances GROUP BY currency HAVING sum(balance) <> 0) unbalanced
            """)).ShouldBe(0);

        // And as a client of the API sees it: the operator's listing, every page, sums to zero per currency.
        var sums = Currencies.ToDictionary(c => c, _ => 0L);
        var count = 0;
        string? cursor = null;
        do
        {
            var page = (await api.FetchFreshAsync(api.Operator(), "/accounts?limit=5" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"))).ShouldBe(HttpStatusCode.OK).Json;
            foreach (var item in page["items"]!.AsArray())
            {
                // Every supported currency has a settlement account from start-up, moved or not.
                var currency = item!["currency"]!.GetValue<string>();
                sums[currency] = sums.GetValueOrDefault(currency) + item["balance"]!.GetValue<long>();
                count++;
            }
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);

        // One settlement account per supported currency, all opened at start-up.
        count.ShouldBe(accounts.Count + api.Service<Ledger.Api.Hosting.LedgerOptions>().Currencies.Length);
        sums.ShouldAllBe(kv => kv.Value == 0);
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{overdraft}")).ShouldBe(HttpStatusCode.OK);
    }
}
