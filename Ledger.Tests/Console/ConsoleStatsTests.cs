using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Api.Contract;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Console;

/// <summary>
/// <c>GET /admin/stats</c> and <c>GET /admin/reconciliations</c>, the two routes the console adds. The
/// series are per instance, so each test compares sums before and after its own writes on its own host.
/// </summary>
public sealed class ConsoleStatsTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task stats_cover_the_last_900_seconds_in_series_of_one_length()
    {
        var before = DateTimeOffset.UtcNow;
        var stats = await StatsAsync();

        var from = DateTimeOffset.Parse(stats["from"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        from.ShouldBeInRange(before.AddSeconds(-901), before.AddSeconds(-898));
        stats["intervalSeconds"]!.GetValue<int>().ShouldBe(1);
        stats["committed"]!.AsArray().Count.ShouldBe(900);
        stats["writeLatencyP50Ms"]!.AsArray().Count.ShouldBe(900);
        stats["writeLatencyP99Ms"]!.AsArray().Count.ShouldBe(900);
    }

    [Fact]
    public async Task a_committed_and_a_rejected_transfer_are_counted_and_the_rejection_by_its_code()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var before = await StatsAsync();

        await client.TransferAsync(a, b, 10);
        var (status, _) = await client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = b, amount = 10_000, currency = "USD" });
        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var after = await StatsAsync();

        (Sum(after["committed"]) - Sum(before["committed"])).ShouldBe(1);
        (Sum(after["rejectedByCode"]!["insufficient_funds"]) - Sum(before["rejectedByCode"]!["insufficient_funds"])).ShouldBe(1);
        var p50 = after["writeLatencyP50Ms"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<double>()).ToList();
        var p99 = after["writeLatencyP99Ms"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<double>()).ToList();
        p50.ShouldNotBeEmpty();
        p50.Count.ShouldBe(p99.Count);
        p50.Zip(p99).ShouldAllBe(p => p.First > 0 && p.First <= p.Second);
    }

    [Fact]
    public async Task projection_lag_is_sampled_per_projection()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonObject lag;
        do lag = (await StatsAsync())["projectionLagMs"]!.AsObject();
        while (!(lag.ContainsKey("balances") && lag.ContainsKey("transactions")) && DateTime.UtcNow < deadline);

        lag.Select(p => p.Key).ShouldBe(["balances", "transactions"]);
        lag["balances"]!.AsArray().Count.ShouldBe(900);
        lag["balances"]!.AsArray().ShouldContain(v => v != null && v.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task stats_need_an_operator_or_auditor_key()
    {
        (await api.Client(null).GetAsync("/admin/stats")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.Client().GetAsync("/admin/stats")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.Operator().GetAsync("/admin/stats")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_reconciliation_list_shows_the_latest_reports_newest_first()
    {
        var first = (await api.Auditor().SubmitAsync("/admin/reconciliations", new { })).ShouldBe(HttpStatusCode.Created).Json;
        var second = (await api.Operator().SubmitAsync("/admin/reconciliations", new { })).ShouldBe(HttpStatusCode.Created).Json;

        var (status, list) = await api.Auditor().GetJsonAsync("/admin/reconciliations?limit=2");

        status.ShouldBe(HttpStatusCode.OK);
        var items = list!["items"]!.AsArray();
        items.Select(r => r!["id"]!.GetValue<Guid>()).ShouldBe([second["id"]!.GetValue<Guid>(), first["id"]!.GetValue<Guid>()]);
        items[0]!["balanced"]!.GetValue<bool>().ShouldBeTrue();
        items[0]!["asOf"].ShouldNotBeNull();
        items[0]!["pendingByCurrency"].ShouldNotBeNull();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("x")]
    public async Task a_reconciliation_list_limit_out_of_range_is_a_validation_failure(string limit)
    {
        var (status, body) = await api.Operator().GetJsonAsync($"/admin/reconciliations?limit={limit}");

        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["code"]!.GetValue<string>().ShouldBe("validation_failed");
    }

    private async Task<JsonNode> StatsAsync()
    {
        var (status, body) = await api.Auditor().GetJsonAsync("/admin/stats");
        status.ShouldBe(HttpStatusCode.OK);
        return body!;
    }

    private static long Sum(JsonNode? series) => series?.AsArray().Sum(v => v?.GetValue<long>() ?? 0) ?? 0;
}
