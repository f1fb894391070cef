using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api;

/// <summary>Many workers moving money at once must never break double entry or overdraw an account.</summary>
public sealed class ConcurrentTransferTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task eight_workers_making_a_thousand_random_transfers_keep_every_currency_summing_to_zero()
    {
        var client = api.Client();
        var accounts = new List<Guid>();
        for (var i = 0; i < 10; i++) accounts.Add(await client.OpenAccountAsync("EUR", initialBalance: 1_000));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var workerClient = api.Client();
            var statuses = new List<HttpStatusCode>();
            for (var n = 0; n < 125; n++)
            {
                var from = accounts[random.Next(accounts.Count)];
                var to = accounts[random.Next(accounts.Count)];
                if (from == to) continue;
                var (status, _) = await workerClient.PostJsonAsync("/transfers",
                    new { fromAccountId = from, toAccountId = to, amount = random.Next(1, 400), currency = "EUR" });
                statuses.Add(status);
            }
            return statuses;
        })));

        var all = outcomes.SelectMany(s => s).ToList();
        all.ShouldAllBe(s => s == HttpStatusCode.Created || s == HttpStatusCode.UnprocessableEntity);
        all.Count(s => s == HttpStatusCode.Created).ShouldBeGreaterThan(100);
        (await api.ScalarAsync<long>("SELECT sum(balance)::bigint FROM {schema}.account_snapshots WHERE currency = 'EUR'")).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.account_snapshots WHERE NOT allow_negative AND balance < 0")).ShouldBe(0);

        await api.WaitForProjectionsAsync();
        (await api.ScalarAsync<long>("SELECT sum(balance)::bigint FROM {schema}.balances WHERE currency = 'EUR'")).ShouldBe(0);
        (await api.ScalarAsync<long>("""
            SELECT count(*) FROM {schema}.balances b JOIN {schema}.account_snapshots s USING (id)
            WHERE b.balance <> s.balance OR b.version <> s.version
            """)).ShouldBe(0);
    }
}
