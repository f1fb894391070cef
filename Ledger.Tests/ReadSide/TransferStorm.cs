using System.Net;
using Ledger.Domain.Accounts;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>One request of the storm and what the API answered.</summary>
public sealed record StormRequest(string Kind, Guid From, Guid To, long Amount, string Currency, HttpStatusCode Status, string? Code);

/// <summary>
/// A concurrent storm through HTTP: 20 accounts in two currencies (one of them frozen), 8 workers × 150
/// requests of transfers, deposits and withdrawals, some of which the rules must reject. From the answers
/// alone it computes what every balance must be, whatever order the ledger applied them in.
/// </summary>
public sealed class TransferStorm
{
    public const int Workers = 8;
    public const int RequestsPerWorker = 150;
    public static readonly string[] Currencies = ["USD", "EUR"];

    public required IReadOnlyList<(Guid Id, string Currency)> Accounts { get; init; }
    public required Guid Frozen { get; init; }
    public required IReadOnlyList<StormRequest> Requests { get; init; }
    /// <summary>Initial balance plus every accepted credit minus every accepted debit, settlement accounts included.</summary>
    public required IReadOnlyDictionary<Guid, long> ExpectedBalances { get; init; }
    /// <summary>Accepted movements, the 20 initial balances included: each is one transfer id with two legs.</summary>
    public required int AcceptedMovements { get; init; }

    public static async Task<TransferStorm> RunAsync(LedgerApiFactory api)
    {
        var client = api.Client();
        var random = new Random(20261122);
        var accounts = new List<(Guid Id, string Currency)>();
        var expected = new Dictionary<Guid, long>();
        foreach (var currency in Currencies)
        {
            expected[SettlementAccounts.IdFor(currency)] = 0;
            for (var i = 0; i < 10; i++)
            {
                var initial = random.Next(2_000, 20_000);
                var id = await client.OpenAccountAsync(currency, initialBalance: initial);
                accounts.Add((id, currency));
                expected[id] = initial;
                expected[SettlementAccounts.IdFor(currency)] -= initial;
            }
        }
        var frozen = accounts.Last(a => a.Currency == "EUR").Id;
        var freeze = await api.Operator().PostAsync($"/accounts/{frozen}/freeze", null);
        freeze.StatusCode.ShouldBe(HttpStatusCode.OK, await freeze.Content.ReadAsStringAsync());

        var perWorker = await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var rnd = new Random(1_000 + worker);
            var workerClient = api.Client();
            var requests = new List<StormRequest>(RequestsPerWorker);
            for (var n = 0; n < RequestsPerWorker; n++) requests.Add(await OneAsync(workerClient, rnd, accounts));
            return requests;
        })));
        var all = perWorker.SelectMany(r => r).ToList();

        foreach (var r in all.Where(r => r.Status == HttpStatusCode.Created))
        {
            expected[r.From] -= r.Amount;
            expected[r.To] += r.Amount;
        }
        return new TransferStorm
        {
            Accounts = accounts,
            Frozen = frozen,
            Requests = all,
            ExpectedBalances = expected,
            AcceptedMovements = accounts.Count + all.Count(r => r.Status == HttpStatusCode.Created),
        };
    }

    private static async Task<StormRequest> OneAsync(HttpClient client, Random rnd, List<(Guid Id, string Currency)> accounts)
    {
        var (from, currency) = accounts[rnd.Next(accounts.Count)];
        var sameCurrency = accounts.Where(a => a.Currency == currency && a.Id != from).ToList();
        var roll = rnd.Next(100);
        (string Kind, string Path, Guid From, Guid To, long Amount) request = roll switch
        {
            < 70 => ("transfer", "/transfers", from, sameCurrency[rnd.Next(sameCurrency.Count)].Id, rnd.Next(1, 3_000)),
            < 80 => ("deposit", "/deposits", SettlementAccounts.IdFor(currency), from, rnd.Next(1, 2_000)),
            < 90 => ("withdrawal", "/withdrawals", from, SettlementAccounts.IdFor(currency), rnd.Next(1, 5_000)),
            < 95 => ("transfer", "/transfers", from, accounts.First(a => a.Currency != currency).Id, rnd.Next(1, 100)), // currency_mismatch
            _ => ("transfer", "/transfers", from, Guid.NewGuid(), rnd.Next(1, 100)), // account_not_found
        };
        object body = request.Kind switch
        {
            "deposit" => new { accountId = request.To, amount = request.Amount, currency },
            "withdrawal" => new { accountId = request.From, amount = request.Amount, currency },
            _ => new { fromAccountId = request.From, toAccountId = request.To, amount = request.Amount, currency, reference = "storm" },
        };
        var (status, json) = await client.PostJsonAsync(request.Path, body);
        var code = status == HttpStatusCode.Created ? null : json?["code"]?.GetValue<string>();
        return new StormRequest(request.Kind, request.From, request.To, request.Amount, currency, status, code);
    }
}
