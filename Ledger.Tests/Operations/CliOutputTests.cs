using System.Text.Json.Nodes;
using Ledger.Api.Cli;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Operations;

/// <summary>
/// The long verbs' output when it is not a terminal (a StringWriter stands for a redirected console):
/// plain progress lines for people and logs, one JSON document with <c>--json</c> for programs.
/// </summary>
public sealed class CliOutputTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private async Task SomeMoneyMovedAsync()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 500);
        var b = await client.OpenAccountAsync();
        await client.TransferAsync(a, b, 200);
        // A rebuild replays up to where the live projection is (the live one carries on from there).
        await api.WaitForProjectionsAsync();
    }

    [Fact]
    public async Task a_redirected_rebuild_prints_plain_progress_lines_without_escape_codes()
    {
        await SomeMoneyMovedAsync();
        var output = new StringWriter();

        (await Verbs.RunAsync("projections", ["rebuild", "balances"], api.Services, output)).ShouldBe(Verbs.Ok);

        var text = output.ToString();
        text.ShouldContain("balances: 100% (");
        text.ShouldContain("balances: rebuilt from");
        text.ShouldNotContain("\u001b[");
    }

    [Fact]
    public async Task a_rebuild_with_json_prints_only_one_document_naming_each_projection_and_its_events()
    {
        await SomeMoneyMovedAsync();
        var output = new StringWriter();

        (await Verbs.RunAsync("projections", ["rebuild", "all", "--json"], api.Services, output)).ShouldBe(Verbs.Ok);

        var rebuilt = JsonNode.Parse(output.ToString())!["rebuilt"]!.AsArray();
        rebuilt.Select(r => r!["name"]!.GetValue<string>()).ShouldBe(["balances", "transactions"], ignoreOrder: true);
        rebuilt.ShouldAllBe(r => r!["events"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task a_reconciliation_with_json_prints_the_report_and_exits_0_when_balanced()
    {
        await SomeMoneyMovedAsync();
        await api.WaitForProjectionsAsync();
        var output = new StringWriter();

        (await Verbs.RunAsync("reconcile", ["--json"], api.Services, output)).ShouldBe(Verbs.Ok);

        var report = JsonNode.Parse(output.ToString())!;
        report["balanced"]!.GetValue<bool>().ShouldBeTrue();
        report["totalsByCurrency"]!["USD"]!.GetValue<long>().ShouldBe(0);
        report["eventsReplayed"]!.GetValue<long>().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task json_is_a_usage_error_for_verbs_that_are_not_long()
    {
        (await Verbs.RunAsync("projections", ["status", "--json"], api.Services, new StringWriter())).ShouldBe(Verbs.Usage);
    }
}
