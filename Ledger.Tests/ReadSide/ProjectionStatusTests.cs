using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary><c>GET /admin/projections</c> as an operator sees it once the daemon has caught up.</summary>
public sealed class ProjectionStatusTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task after_catching_up_balances_and_transactions_stand_at_the_head_with_no_lag()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync("EUR", initialBalance: 500);
        var b = await client.OpenAccountAsync("EUR");
        string last = "";
        for (var n = 1; n <= 5; n++) last = (await client.TransferAsync(a, b, n, "EUR"))["position"]!.GetValue<string>();
        await api.WaitForProjectionsAsync();

        var all = (await api.Operator().GetOkAsync("/admin/projections")).AsArray();
        all.Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["balances", "transactions", "audit"], ignoreOrder: true);
        foreach (var name in new[] { "balances", "transactions" })
        {
            var status = all.Single(p => p!["name"]!.GetValue<string>() == name)!;
            status["status"]!.GetValue<string>().ShouldBe("running", name);
            status["position"]!.GetValue<string>().ShouldBe(status["headPosition"]!.GetValue<string>(), name);
            status["headPosition"]!.GetValue<string>().ShouldBe(last, $"{name}: the last write is the newest event");
            status["lagEvents"]!.GetValue<long>().ShouldBe(0, name);
            status["lagMs"]!.GetValue<long>().ShouldBe(0, name);
            status.AsObject().ContainsKey("lastError").ShouldBeFalse($"{name}: lastError is present only while there is one");
        }
        var audit = all.Single(p => p!["name"]!.GetValue<string>() == "audit")!;
        audit["position"]!.GetValue<string>().ShouldBe(last);
        audit["lagEvents"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task an_auditor_may_read_projection_status_and_a_client_may_not()
    {
        (await api.Auditor().GetAsync("/admin/projections")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (status, problem) = await api.Client().GetJsonAsync("/admin/projections");
        status.ShouldBe(HttpStatusCode.Forbidden);
        problem!["code"]!.GetValue<string>().ShouldBe("forbidden");
    }
}
