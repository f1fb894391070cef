using System.Net;
using Ledger.Projections.Store;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// An event the balance projection cannot fold (a credit to an account that was never opened) must stop
/// that projection exactly there, visibly, while the history projection goes on past it. This class
/// poisons its schema, so it has a factory of its own.
/// </summary>
public sealed class FaultedProjectionTests(FaultedProjectionTests.PoisonedApi api) : IClassFixture<FaultedProjectionTests.PoisonedApi>
{
    /// <summary>minPosition reads give up quickly: the balances view will never get there.</summary>
    public sealed class PoisonedApi : LedgerApiFactory
    {
        public PoisonedApi() => Settings["Ledger:Reads:MinPositionWaitMs"] = "500";
    }

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Appends one account.credited.v1 event through Marten to a stream nobody opened; returns its position.</summary>
    private async Task<string> AppendCreditForUnknownAccountAsync()
    {
        var ghost = Guid.NewGuid();
        await using var session = api.Service<Marten.IDocumentStore>().LightweightSession();
        var action = session.Events.Append(ghost, new Ledger.Domain.Accounts.AccountCredited(
            ghost, Guid.NewGuid(), 100, Guid.NewGuid(), 100, "poison", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return action.Events[0].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task a_bad_event_faults_balances_at_its_position_while_transactions_keeps_running_past_it()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("USD", initialBalance: 1_000);
        await api.WaitForProjectionsAsync();
        var progress = api.Service<ProjectionProgress>();
        var lastGood = (await progress.HeadAsync(CancellationToken.None)).ToString();

        var poison = await AppendCreditForUnknownAccountAsync();
        (await api.WaitForStatusAsync("balances", ProjectionProgress.Faulted, Deadline, CancellationToken.None))
            .ShouldBeTrue("balances did not fault on the credit to an unknown account");

        // Writes after the fault: the history projection must take them, the balance projection cannot.
        var (status, deposit) = await client.PostJsonAsync("/deposits", new { accountId = account, amount = 25, currency = "USD" });
        status.ShouldBe(HttpStatusCode.Created, deposit?.ToJsonString());
        var depositPosition = deposit!["position"]!.GetValue<string>();
        await api.WaitForProjectionsAsync("transactions");
        var head = (await progress.HeadAsync(CancellationToken.None)).ToString();
        head.ShouldBe(depositPosition);

        var balances = await api.Operator().ProjectionAsync("balances");
        balances["status"]!.GetValue<string>().ShouldBe("faulted");
        balances["lastError"]!.GetValue<string>().ShouldContain(poison);
        balances["position"]!.GetValue<string>().ShouldBe(lastGood, "every event before the bad one is applied, none after it");
        balances["headPosition"]!.GetValue<string>().ShouldBe(head);
        balances["lagEvents"]!.GetValue<long>().ShouldBe(await api.ScalarAsync<long>(
            $"SELECT count(*) FROM {{schema}}.mt_events WHERE seq_id > {lastGood}"));
        balances["lagEvents"]!.GetValue<long>().ShouldBe(3); // the bad event and the deposit's two legs
        balances["lagMs"]!.GetValue<long>().ShouldBeGreaterThan(0, "the bad event has been waiting since before the deposit");

        var transactions = await api.Auditor().ProjectionAsync("transactions");
        transactions["status"]!.GetValue<string>().ShouldBe("running");
        transactions["position"]!.GetValue<string>().ShouldBe(head);
        transactions["lagEvents"]!.GetValue<long>().ShouldBe(0);
        transactions["lastError"]?.GetValue<string>().ShouldBeNull();

        // The history shows the later deposit; the balance view is stuck before the bad event and says so.
        var history = await client.GetOkAsync($"/accounts/{account}/transactions?limit=1&minPosition={depositPosition}");
        var newest = history["items"]!.AsArray().ShouldHaveSingleItem()!;
        newest["amount"]!.GetValue<long>().ShouldBe(25);
        newest["balanceAfter"]!.GetValue<long>().ShouldBe(1_025);
        var (stale, problem) = await client.GetJsonAsync($"/accounts/{account}/balance?minPosition={depositPosition}");
        stale.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem!["code"]!.GetValue<string>().ShouldBe("unavailable");
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{account}'")).ShouldBe(1_000);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{account}'")).ShouldBe(1_025);
    }
}
