using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// <c>minPosition</c> is the client's read-your-writes: the read waits until the view has passed it.
/// Plain reads here do not wait for the account's last write at all (CatchUpWaitMs = 0), so only the
/// position can make them fresh. A position read waits up to 20 s instead of 5: the daemon's readable
/// horizon is cluster-wide, so another process's open write transaction on the same PostgreSQL (other
/// test runs share it) can hold the view back for seconds; correctness, not latency, is tested here.
/// </summary>
public sealed class ReadYourWritesTests(ReadYourWritesTests.NoCatchUpApi api) : IClassFixture<ReadYourWritesTests.NoCatchUpApi>
{
    public sealed class NoCatchUpApi : LedgerApiFactory
    {
        public NoCatchUpApi()
        {
            Settings["Ledger:Reads:CatchUpWaitMs"] = "0";
            Settings["Ledger:Reads:MinPositionWaitMs"] = "20000";
        }
    }

    [Fact]
    public async Task a_balance_read_with_a_writes_position_as_min_position_reflects_that_write()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("USD");
        var expected = 0L;
        for (var n = 1; n <= 25; n++)
        {
            var (status, deposit) = await client.PostJsonAsync("/deposits", new { accountId = account, amount = n, currency = "USD" });
            status.ShouldBe(HttpStatusCode.Created, deposit?.ToJsonString());
            expected += n;
            var position = deposit!["position"]!.GetValue<string>();

            var balance = await client.GetOkAsync($"/accounts/{account}/balance?minPosition={position}");
            balance["balance"]!.GetValue<long>().ShouldBe(expected, $"after deposit #{n} at {position}");
            balance["version"]!.GetValue<long>().ShouldBe(1 + n);
            ReadSideSupport.Position(balance["position"]).ShouldBeGreaterThanOrEqualTo(ReadSideSupport.Position(position));
        }
    }

    [Fact]
    public async Task the_credited_side_of_a_transfer_and_its_history_reflect_the_transfer_at_its_position()
    {
        var client = api.Client();
        var payer = await client.OpenAccountAsync("EUR", initialBalance: 10_000);
        var payee = await client.OpenAccountAsync("EUR");
        for (var n = 1; n <= 10; n++)
        {
            var transfer = await client.TransferAsync(payer, payee, 100 * n, "EUR");
            var position = transfer["position"]!.GetValue<string>();
            var credited = 100L * n * (n + 1) / 2;

            var account = await client.GetOkAsync($"/accounts/{payee}?minPosition={position}");
            account["balance"]!.GetValue<long>().ShouldBe(credited);
            var payerBalance = await client.GetOkAsync($"/accounts/{payer}/balance?minPosition={position}");
            payerBalance["balance"]!.GetValue<long>().ShouldBe(10_000 - credited);
            var history = await client.GetOkAsync($"/accounts/{payee}/transactions?limit=1&minPosition={position}");
            var newest = history["items"]!.AsArray().ShouldHaveSingleItem()!;
            newest["transferId"]!.GetValue<Guid>().ShouldBe(transfer["id"]!.GetValue<Guid>());
            newest["balanceAfter"]!.GetValue<long>().ShouldBe(credited);
        }
    }

    [Fact]
    public async Task a_min_position_that_is_not_a_position_is_a_validation_failure()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("USD");

        var (status, problem) = await client.GetJsonAsync($"/accounts/{account}/balance?minPosition=yesterday");

        status.ShouldBe(HttpStatusCode.BadRequest);
        problem!["code"]!.GetValue<string>().ShouldBe("validation_failed");
        problem["errors"]!["minPosition"].ShouldNotBeNull();
    }
}

/// <summary>The contract's own bound on a <c>minPosition</c> read, with the default configuration.</summary>
public sealed class MinPositionTimeoutTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task a_min_position_the_log_never_reaches_answers_503_unavailable_after_waiting_about_five_seconds()
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync("GBP", initialBalance: 5);

        var clock = Stopwatch.StartNew();
        var response = await client.GetAsync($"/accounts/{account}/balance?minPosition=999999999999");
        clock.Stop();

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        response.Headers.RetryAfter.ShouldNotBeNull();
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["code"]!.GetValue<string>().ShouldBe("unavailable");
        problem["status"]!.GetValue<int>().ShouldBe(503);
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(4.5), "it must wait for the view before giving up");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
    }
}
