using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>GET /admin/projections and the health endpoints.</summary>
public sealed class OperationsTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly string[] Statuses = ["running", "rebuilding", "stopped", "faulted"];

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task projections_lists_balances_transactions_and_audit_with_every_member()
    {
        await api.Client().OpenIdAsync(initialBalance: 10);
        await api.WaitForProjectionsAsync();

        var response = await api.Auditor().FetchAsync("/admin/projections");

        var projections = response.ShouldBe(HttpStatusCode.OK).Json.AsArray().Select(p => p!).ToList();
        projections.Select(p => p["name"]!.GetValue<string>()).ShouldBe(["balances", "transactions", "audit"], ignoreOrder: true);
        foreach (var projection in projections)
        {
            foreach (var member in new[] { "name", "position", "headPosition", "lagEvents", "lagMs", "status" })
                projection.AsObject().ContainsKey(member).ShouldBeTrue($"projection lacks '{member}': {response.Text}");
            projection["status"]!.GetValue<string>().ShouldBeOneOf(Statuses);
            projection["status"]!.GetValue<string>().ShouldBe("running", response.Text);
            projection["lagEvents"]!.GetValue<long>().ShouldBe(0, response.Text);
            projection["lagMs"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);
            projection["position"]!.GetValue<string>().ShouldBe(projection["headPosition"]!.GetValue<string>(), response.Text);
        }
    }

    [Fact]
    public async Task the_projections_head_is_the_position_of_the_last_write()
    {
        var account = await api.Client().OpenAsync("EUR", initialBalance: 10);
        await api.WaitForProjectionsAsync();

        var projections = (await api.Operator().FetchAsync("/admin/projections")).ShouldBe(HttpStatusCode.OK).Json.AsArray();

        projections.ShouldAllBe(p => p!["headPosition"]!.GetValue<string>() == account["position"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_rebuild_answers_202_with_a_job_that_runs_until_it_succeeds()
    {
        var account = await api.Client().OpenIdAsync("GBP", initialBalance: 70);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 20, "GBP"))).ShouldBe(HttpStatusCode.Created);
        await api.WaitForProjectionsAsync();

        var accepted = await api.Operator().PostEmptyAsync("/admin/projections/balances/rebuild");

        var jobId = accepted.ShouldBe(HttpStatusCode.Accepted).Json["jobId"]!.GetValue<Guid>();
        var job = await api.Auditor().JobWhenEndedAsync(jobId);
        foreach (var member in new[] { "jobId", "kind", "status", "processedEvents", "totalEvents", "startedAt", "finishedAt" })
            job.AsObject().ContainsKey(member).ShouldBeTrue($"job lacks '{member}': {job.ToJsonString()}");
        job["jobId"]!.GetValue<Guid>().ShouldBe(jobId);
        job["status"]!.GetValue<string>().ShouldBe("succeeded", job.ToJsonString());
        job["kind"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        job["totalEvents"]!.GetValue<long>().ShouldBeGreaterThan(0);
        job["processedEvents"]!.GetValue<long>().ShouldBe(job["totalEvents"]!.GetValue<long>());
        job["finishedAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThanOrEqualTo(job["startedAt"]!.GetValue<DateTimeOffset>());
        job.AsObject().ContainsKey("error").ShouldBeFalse(job.ToJsonString());

        (await api.BalanceAsync(account)).ShouldBe(50);
        (await api.ScalarAsync<long>("SELECT count(*) FROM (SELECT currency FROM {schema}.balances GROUP BY currency HAVING sum(balance) <> 0) x")).ShouldBe(0);
    }

    [Fact]
    public async Task rebuilding_an_unknown_projection_is_404() =>
        (await api.Operator().PostEmptyAsync("/admin/projections/nonsense/rebuild")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task an_unknown_job_is_404_and_a_malformed_job_id_400()
    {
        (await api.Auditor().FetchAsync($"/admin/jobs/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
        (await api.Auditor().FetchAsync("/admin/jobs/42")).ShouldBeValidationOf("id");
    }

    [Fact]
    public async Task a_reconciliation_answers_201_with_a_balanced_report_that_reads_back()
    {
        var account = await api.Client().OpenIdAsync("CHF", initialBalance: 500);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 125, "CHF"))).ShouldBe(HttpStatusCode.Created);
        await api.WaitForProjectionsAsync();
        var events = await api.EventCountAsync();

        var response = await api.Auditor().PostRawJsonAsync("/admin/reconciliations", "{}");

        var report = response.ShouldBe(HttpStatusCode.Created).Json;
        foreach (var member in new[] { "id", "asOf", "eventsReplayed", "accountsChecked", "mismatches", "totalsByCurrency", "balanced", "durationMs" })
            report.AsObject().ContainsKey(member).ShouldBeTrue($"report lacks '{member}': {response.Text}");
        report["balanced"]!.GetValue<bool>().ShouldBeTrue(response.Text);
        report["mismatches"]!.AsArray().ShouldBeEmpty();
        report["eventsReplayed"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(events);
        report["accountsChecked"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(2);
        report["totalsByCurrency"]!["CHF"]!.GetValue<long>().ShouldBe(0);
        report["totalsByCurrency"]!.AsObject().ShouldAllBe(kv => kv.Value!.GetValue<long>() == 0);
        report["asOf"]!.GetValue<DateTimeOffset>().ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        report["durationMs"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);

        var again = (await api.Operator().FetchAsync($"/admin/reconciliations/{report["id"]}")).ShouldBe(HttpStatusCode.OK).Json;
        System.Text.Json.Nodes.JsonNode.DeepEquals(again, report).ShouldBeTrue($"{report.ToJsonString()} vs {again.ToJsonString()}");
    }

    [Fact]
    public async Task a_reconciliation_as_of_an_instant_replays_up_to_it_and_says_so()
    {
        var opened = await api.Client().OpenAsync("CNY", initialBalance: 40);
        var cut = opened["openedAt"]!.GetValue<DateTimeOffset>();

        var report = (await api.Operator().SubmitAsync("/admin/reconciliations", new { asOf = cut })).ShouldBe(HttpStatusCode.Created).Json;

        report["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(cut);
        report["balanced"]!.GetValue<bool>().ShouldBeTrue();
        report["totalsByCurrency"]!["CNY"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task a_reconciliation_without_a_body_is_created_too() =>
        (await api.Auditor().PostEmptyAsync("/admin/reconciliations")).ShouldBe(HttpStatusCode.Created).Json["balanced"]!.GetValue<bool>().ShouldBeTrue();

    [Fact]
    public async Task an_unknown_reconciliation_is_404() =>
        (await api.Auditor().FetchAsync($"/admin/reconciliations/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task a_malformed_reconciliation_request_is_a_validation_failure()
    {
        (await api.Auditor().PostRawJsonAsync("/admin/reconciliations", """{"asOf":"soon"}""")).ShouldBeValidationOf("asOf");
        (await api.Auditor().PostRawJsonAsync("/admin/reconciliations", """{"when":"2026-01-01T00:00:00Z"}""")).ShouldBeValidationOf("when");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_answers_200_without_a_key(string path)
    {
        (await api.Client(null).FetchAsync(path)).ShouldBe(HttpStatusCode.OK);
        (await api.Client("an-unknown-key").FetchAsync(path)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_client_may_not_read_the_projections() =>
        (await api.Client().FetchAsync("/admin/projections")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
}

/// <summary>A balances view that disagrees with the event log: its own schema, since it corrupts the view on purpose.</summary>
public sealed class ReconciliationMismatchTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_balance_view_that_disagrees_with_the_log_is_reported_as_a_mismatch()
    {
        var account = await api.Client().OpenIdAsync("USD", initialBalance: 300);
        await api.WaitForProjectionsAsync();
        await api.ExecuteAsync($"UPDATE {{schema}}.balances SET balance = balance + 7 WHERE id = '{account}'");

        var report = (await api.Auditor().SubmitAsync("/admin/reconciliations", new { })).ShouldBe(HttpStatusCode.Created).Json;

        report["balanced"]!.GetValue<bool>().ShouldBeFalse(report.ToJsonString());
        var mismatch = report["mismatches"]!.AsArray().Single(m => m!["accountId"]!.GetValue<Guid>() == account)!;
        mismatch["projected"]!.GetValue<long>().ShouldBe(307);
        mismatch["replayed"]!.GetValue<long>().ShouldBe(300);
    }
}

/// <summary>A ledger configured with risk limits: 422 limit_exceeded at write time.</summary>
public sealed class RiskLimitTests(RiskLimitTests.LimitedLedger api) : IAsyncLifetime, IClassFixture<RiskLimitTests.LimitedLedger>
{
    public static readonly Guid Blocked = Guid.Parse("5f1d3c2a-0000-4000-8000-00000000b10c");

    /// <summary>At most 1000 USD cents per transfer, 1500 per account per UTC day; one blocked account id.</summary>
    public sealed class LimitedLedger : LedgerApiFactory
    {
        public LimitedLedger()
        {
            Settings["Ledger:Risk:MaxTransferMinor:USD"] = "1000";
            Settings["Ledger:Risk:MaxDailyDebitMinor:USD"] = "1500";
            Settings["Ledger:Risk:BlockedAccountIds:0"] = Blocked.ToString();
        }
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_transfer_above_the_maximum_is_limit_exceeded()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 1000);
        var to = await api.Client().OpenIdAsync();

        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(from, 1001))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1001))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1000))).ShouldBe(HttpStatusCode.Created);

        (await api.BalanceAsync(to)).ShouldBe(1000);
    }

    [Fact]
    public async Task debits_beyond_the_daily_maximum_are_limit_exceeded()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 1000);
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(from, 1000))).ShouldBe(HttpStatusCode.Created);

        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(from, 1000))).ShouldBe(HttpStatusCode.Created);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(from, 501))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(from, 500))).ShouldBe(HttpStatusCode.Created);

        (await api.BalanceAsync(from)).ShouldBe(500);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_blocked_account_moves_no_money()
    {
        (await api.Client().SubmitAsync("/accounts", new { id = Blocked, currency = "EUR" })).ShouldBe(HttpStatusCode.Created);

        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(Blocked, 1, "EUR"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "limit_exceeded");
    }
}
