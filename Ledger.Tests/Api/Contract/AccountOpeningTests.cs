using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>POST /accounts: the 201 Account, its name, initialBalance and the operator-only allowNegative.</summary>
public sealed class AccountOpeningTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly string[] AccountMembers = ["id", "currency", "name", "status", "allowNegative", "balance", "version", "openedAt", "position"];

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task opening_an_account_answers_201_with_every_member_of_the_account()
    {
        var id = Guid.NewGuid();

        var response = await api.Client().PostRawJsonAsync("/accounts", $$"""{"id":"{{id}}","currency":"EUR","name":"Alice's wallet"}""");

        response.ShouldBe(HttpStatusCode.Created);
        response.ContentType.ShouldBe("application/json");
        var account = response.Json.AsObject();
        foreach (var member in AccountMembers) account.ContainsKey(member).ShouldBeTrue($"Account lacks '{member}': {response.Text}");
        account["id"]!.GetValue<Guid>().ShouldBe(id);
        account["currency"]!.GetValue<string>().ShouldBe("EUR");
        account["name"]!.GetValue<string>().ShouldBe("Alice's wallet");
        account["status"]!.GetValue<string>().ShouldBe("active");
        account["allowNegative"]!.GetValue<bool>().ShouldBeFalse();
        account["balance"]!.GetValue<long>().ShouldBe(0);
        account["version"]!.GetValue<long>().ShouldBe(1);
        account["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        var openedAt = account["openedAt"]!.GetValue<DateTimeOffset>();
        openedAt.Offset.ShouldBe(TimeSpan.Zero);
        openedAt.ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task an_account_opened_without_an_id_gets_one_from_the_server()
    {
        var first = await api.Client().OpenAsync();
        var second = await api.Client().OpenAsync();

        first["id"]!.GetValue<Guid>().ShouldNotBe(Guid.Empty);
        second["id"]!.GetValue<Guid>().ShouldNotBe(first["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task an_initial_balance_shows_in_the_201_account_and_is_booked_as_a_deposit()
    {
        var account = await api.Client().OpenAsync("GBP", initialBalance: 12_345);
        var id = account["id"]!.GetValue<Guid>();

        account["balance"]!.GetValue<long>().ShouldBe(12_345);
        account["version"]!.GetValue<long>().ShouldBe(2);
        (await api.BalanceAsync(id)).ShouldBe(12_345);
        var history = (await api.FetchFreshAsync(api.Client(), $"/accounts/{id}/transactions")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray();
        history.Count.ShouldBe(1);
        history[0]!["direction"]!.GetValue<string>().ShouldBe("credit");
        history[0]!["amount"]!.GetValue<long>().ShouldBe(12_345);
        history[0]!["balanceAfter"]!.GetValue<long>().ShouldBe(12_345);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task an_account_without_a_name_has_a_null_name()
    {
        var account = await api.Client().OpenAsync("JPY");

        account.AsObject().ContainsKey("name").ShouldBeTrue();
        account["name"].ShouldBeNull();
    }

    [Fact]
    public async Task every_supported_currency_can_be_opened()
    {
        foreach (var currency in new[] { "USD", "EUR", "GBP", "JPY", "CNY", "CHF" })
            (await api.Client().OpenAsync(currency))["currency"]!.GetValue<string>().ShouldBe(currency);
    }

    [Fact]
    public async Task a_client_may_not_open_an_account_that_can_go_below_zero()
    {
        var events = await api.EventCountAsync();

        (await api.Client().PostRawJsonAsync("/accounts", """{"currency":"USD","allowNegative":true}"""))
            .ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");

        (await api.EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_client_may_say_allow_negative_false()
    {
        var response = await api.Client().PostRawJsonAsync("/accounts", """{"currency":"USD","allowNegative":false}""");

        response.ShouldBe(HttpStatusCode.Created).Json["allowNegative"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task an_operator_may_open_an_account_that_goes_below_zero_and_it_does()
    {
        var overdraft = await api.Operator().OpenAsync("CHF", allowNegative: true);
        var id = overdraft["id"]!.GetValue<Guid>();
        var other = await api.Client().OpenIdAsync("CHF");
        overdraft["allowNegative"]!.GetValue<bool>().ShouldBeTrue();

        (await api.Operator().SubmitAsync("/transfers", ContractHttp.Transfer(id, other, 500, "CHF"))).ShouldBe(HttpStatusCode.Created);

        (await api.BalanceAsync(id)).ShouldBe(-500);
        (await api.BalanceAsync(other)).ShouldBe(500);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Theory]
    [InlineData("CHF", "CHF")]
    [InlineData("CNY", "USD")]
    public async Task a_client_cannot_take_the_id_of_a_settlement_account_before_its_first_use(string settlementCurrency, string accountCurrency)
    {
        var settlementId = Ledger.Domain.Accounts.SettlementAccounts.IdFor(settlementCurrency);

        var response = await api.Client().SubmitAsync("/accounts", new { id = settlementId, currency = accountCurrency });

        // The contract is silent on which refusal; either is a complete problem, never a 201.
        if (response.Status == HttpStatusCode.BadRequest) response.ShouldBeValidationOf("id");
        else response.ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        // Deposits in that currency still work: the settlement account is the ledger's own.
        var account = await api.Client().OpenIdAsync(settlementCurrency);
        var deposit = (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 10, settlementCurrency))).ShouldBe(HttpStatusCode.Created).Json;
        deposit["fromAccountId"]!.GetValue<Guid>().ShouldBe(settlementId);
    }

    [Fact]
    public async Task an_auditor_may_not_open_an_account() =>
        (await api.Auditor().PostRawJsonAsync("/accounts", """{"currency":"USD"}""")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task the_201_account_equals_what_get_account_reads_back()
    {
        var created = await api.Client().OpenAsync("CNY", initialBalance: 77, name: "same");
        var id = created["id"]!.GetValue<Guid>();

        var read = (await api.Client().FetchAsync($"/accounts/{id}?minPosition={created["position"]}")).ShouldBe(HttpStatusCode.OK).Json;

        foreach (var member in AccountMembers.Where(m => m != "openedAt"))
            JsonNode.DeepEquals(read[member], created[member]).ShouldBeTrue($"{member}: {created.ToJsonString()} vs {read.ToJsonString()}");
        read["openedAt"]!.GetValue<DateTimeOffset>().ShouldBe(created["openedAt"]!.GetValue<DateTimeOffset>());
    }
}
