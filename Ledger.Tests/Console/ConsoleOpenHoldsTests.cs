using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Console;

/// <summary><c>GET /accounts/{id}/holds</c>, which the console's account page shows beside pendingDebits and pendingCredits.</summary>
public sealed class ConsoleOpenHoldsTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task an_accounts_open_holds_on_either_side_are_listed_oldest_first_and_settled_ones_leave_the_list()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 1000);
        var b = await client.OpenAccountAsync(initialBalance: 1000);
        var first = await HoldAsync(client, a, b, 100);
        var second = await HoldAsync(client, b, a, 200);
        var settled = await HoldAsync(client, a, b, 300);
        (await client.PostJsonAsync($"/transfers/{settled}/void", new { })).Status.ShouldBe(HttpStatusCode.OK);

        var (status, body) = await api.Auditor().GetJsonAsync($"/accounts/{a}/holds");

        status.ShouldBe(HttpStatusCode.OK);
        var items = body!["items"]!.AsArray();
        items.Select(t => t!["id"]!.GetValue<Guid>()).ShouldBe([first, second]);
        items.ShouldAllBe(t => t!["status"]!.GetValue<string>() == "pending");
        items[1]!["pendingAmount"]!.GetValue<long>().ShouldBe(200);
        items[0]!["expiresAt"].ShouldNotBeNull();
    }

    [Fact]
    public async Task an_account_without_holds_has_an_empty_list_and_a_bad_limit_is_a_validation_failure()
    {
        var a = await api.Client().OpenAccountAsync();

        (await api.Client().GetJsonAsync($"/accounts/{a}/holds")).Body!["items"]!.AsArray().ShouldBeEmpty();
        (await api.Client().GetJsonAsync($"/accounts/{a}/holds?limit=0")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await api.Client().GetJsonAsync("/accounts/not-a-uuid/holds")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static async Task<Guid> HoldAsync(HttpClient client, Guid from, Guid to, long amount)
    {
        var (status, body) = await client.PostJsonAsync("/transfers",
            new { fromAccountId = from, toAccountId = to, amount, currency = "USD", pending = true, timeoutSeconds = 3600 });
        status.ShouldBe(HttpStatusCode.Created, body?.ToJsonString());
        return body!["id"]!.GetValue<Guid>();
    }
}
