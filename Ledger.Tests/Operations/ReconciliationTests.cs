using System.Net;
using Ledger.Api.Cli;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Operations;

/// <summary>A clean ledger reconciles; each test class has its own schema, so the corrupted one below cannot leak here.</summary>
public sealed class ReconciliationOfACleanLedgerTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task a_clean_ledger_is_balanced_over_http_and_the_cli_exits_0()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 500);
        var b = await client.OpenAccountAsync("EUR", initialBalance: 70);
        var c = await client.OpenAccountAsync();
        await client.TransferAsync(a, c, 120);
        await client.PostJsonAsync("/withdrawals", new { accountId = b, amount = 20, currency = "EUR" });
        await api.WaitForProjectionsAsync();

        var (status, report) = await api.Auditor().PostJsonAsync("/admin/reconciliations", new { });
        status.ShouldBe(HttpStatusCode.Created);
        report!["balanced"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        report["mismatches"]!.AsArray().ShouldBeEmpty();
        report["totalsByCurrency"]!["USD"]!.GetValue<long>().ShouldBe(0);
        report["totalsByCurrency"]!["EUR"]!.GetValue<long>().ShouldBe(0);
        report["eventsReplayed"]!.GetValue<long>().ShouldBe(await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events"));
        report["accountsChecked"]!.GetValue<long>().ShouldBe(await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.account_snapshots"));

        var (fetched, again) = await api.Client(LedgerApiFactory.OperatorKey).GetJsonAsync($"/admin/reconciliations/{report["id"]}");
        fetched.ShouldBe(HttpStatusCode.OK);
        again!["id"]!.GetValue<Guid>().ShouldBe(report["id"]!.GetValue<Guid>());

        var output = new StringWriter();
        (await Verbs.RunAsync("reconcile", [], api.Services, output)).ShouldBe(0);
        output.ToString().ShouldContain("BALANCED");
    }

    [Fact]
    public async Task a_reconciliation_as_of_an_instant_replays_only_the_events_up_to_it()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 10);
        var cut = DateTimeOffset.UtcNow;
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events");
        await client.PostJsonAsync("/deposits", new { accountId = a, amount = 5, currency = "USD" });

        var (status, report) = await api.Auditor().PostJsonAsync("/admin/reconciliations", new { asOf = cut });

        status.ShouldBe(HttpStatusCode.Created);
        report!["eventsReplayed"]!.GetValue<long>().ShouldBe(before);
        report["balanced"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task an_unknown_report_is_404_and_a_client_may_not_reconcile()
    {
        (await api.Auditor().GetJsonAsync($"/admin/reconciliations/{Guid.NewGuid()}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await api.Client().PostJsonAsync("/admin/reconciliations", new { })).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task the_cli_rejects_a_malformed_as_of_as_a_usage_error()
    {
        (await Verbs.RunAsync("reconcile", ["--as-of", "yesterday"], api.Services, new StringWriter())).ShouldBe(2);
    }
}

public sealed class ReconciliationOfACorruptedViewTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task a_balance_changed_behind_the_ledgers_back_is_reported_with_both_values_and_the_cli_exits_1()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 300);
        var b = await client.OpenAccountAsync();
        await client.TransferAsync(a, b, 100);
        await api.WaitForProjectionsAsync();
        await api.ExecuteAsync($"UPDATE {{schema}}.balances SET balance = balance + 7 WHERE id = '{b}'");

        var (_, report) = await api.Auditor().PostJsonAsync("/admin/reconciliations", new { });

        report!["balanced"]!.GetValue<bool>().ShouldBeFalse();
        var mismatch = report["mismatches"]!.AsArray().Single()!;
        mismatch["accountId"]!.GetValue<Guid>().ShouldBe(b);
        mismatch["projected"]!.GetValue<long>().ShouldBe(107);
        mismatch["replayed"]!.GetValue<long>().ShouldBe(100);

        var output = new StringWriter();
        (await Verbs.RunAsync("reconcile", [], api.Services, output)).ShouldBe(1);
        output.ToString().ShouldContain($"MISMATCH account {b} in balances: projected 107, replayed 100");
    }
}

/// <summary>Holds are replayed too: pending debits equal pending credits per currency, and a pending total changed behind the ledger's back is a mismatch.</summary>
public sealed class ReconciliationOfHoldsTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task open_and_settled_holds_reconcile_and_a_tampered_pending_total_is_a_mismatch()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 1_000);
        var b = await client.OpenAccountAsync();
        var open = new { fromAccountId = a, toAccountId = b, amount = 300, currency = "USD", pending = true };
        await client.PostJsonAsync("/transfers", open);
        var (_, settled) = await client.PostJsonAsync("/transfers", open with { amount = 200 });
        await client.PostJsonAsync($"/transfers/{settled!["id"]}/post", new { amount = 150 });
        await api.WaitForProjectionsAsync();

        var (_, clean) = await api.Auditor().PostJsonAsync("/admin/reconciliations", new { });

        clean!["balanced"]!.GetValue<bool>().ShouldBeTrue(clean.ToJsonString());
        clean["pendingByCurrency"]!["USD"]!.GetValue<long>().ShouldBe(0);

        await api.ExecuteAsync($"UPDATE {{schema}}.balances SET pending_debits = pending_debits + 5 WHERE id = '{a}'");
        var (_, tampered) = await api.Auditor().PostJsonAsync("/admin/reconciliations", new { });

        tampered!["balanced"]!.GetValue<bool>().ShouldBeFalse();
        var mismatch = tampered["mismatches"]!.AsArray().Single()!;
        mismatch["accountId"]!.GetValue<Guid>().ShouldBe(a);
        (mismatch["projected"]!.GetValue<long>(), mismatch["replayed"]!.GetValue<long>()).ShouldBe((305, 300));
    }
}
