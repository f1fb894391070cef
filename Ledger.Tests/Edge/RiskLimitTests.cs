using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

public sealed class ApiWithRiskLimits : LedgerApiFactory
{
    public static readonly Guid BlockedAccount = Guid.Parse("0badbad0-0000-4000-8000-000000000001");

    public ApiWithRiskLimits()
    {
        Settings["Ledger:Risk:MaxTransferMinor:USD"] = "1000";
        Settings["Ledger:Risk:MaxDailyDebitMinor:USD"] = "1500";
        Settings["Ledger:Risk:BlockedAccountIds:0"] = BlockedAccount.ToString();
    }
}

public sealed class RiskLimitTests(ApiWithRiskLimits api) : IClassFixture<ApiWithRiskLimits>
{
    [Fact]
    public async Task a_transfer_above_the_single_transfer_maximum_is_rejected_as_limit_exceeded_and_audited()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 900);
        await client.PostJsonAsync("/deposits", new { accountId = a, amount = 900, currency = "USD" });
        var b = await client.OpenAccountAsync();

        var (status, body) = await client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = b, amount = 1001, currency = "USD" });

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body!["code"]!.GetValue<string>().ShouldBe("limit_exceeded");
        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.audit_entries WHERE code = 'limit_exceeded' AND '{a}' = ANY(subject_ids)")).ShouldBe(1);
    }

    [Fact]
    public async Task debits_beyond_the_daily_maximum_are_rejected_even_after_a_restart_of_the_count()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 1000);
        await client.PostJsonAsync("/deposits", new { accountId = a, amount = 1000, currency = "USD" });
        var b = await client.OpenAccountAsync();

        await client.TransferAsync(a, b, 800);
        await client.TransferAsync(a, b, 700);
        var (status, body) = await client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = b, amount = 1, currency = "USD" });

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body!["code"]!.GetValue<string>().ShouldBe("limit_exceeded");
        // The day's total lives in the account's state, derived from its events, so it survives restarts.
        (await api.ScalarAsync<long>($"SELECT debited_on_day FROM {{schema}}.account_snapshots WHERE id = '{a}'")).ShouldBe(1500);
    }

    [Fact]
    public async Task a_blocked_account_may_not_move_money()
    {
        var client = api.Client();
        var (opened, _) = await client.PostJsonAsync("/accounts", new { id = ApiWithRiskLimits.BlockedAccount, currency = "USD" });
        opened.ShouldBe(HttpStatusCode.Created);

        var (status, body) = await client.PostJsonAsync("/deposits", new { accountId = ApiWithRiskLimits.BlockedAccount, amount = 5, currency = "USD" });

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body!["code"]!.GetValue<string>().ShouldBe("limit_exceeded");
    }
}
