using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>POST /transfers, /deposits, /withdrawals and GET /transfers/{id}: 201 bodies, business rejections, double entry.</summary>
public sealed class MoneyMovementTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly string[] TransferMembers =
        ["id", "fromAccountId", "toAccountId", "amount", "currency", "reference", "metadata", "status", "timestamp", "position"];

    private static void ShouldBeTransfer(JsonNode transfer, Guid from, Guid to, long amount, string currency)
    {
        foreach (var member in TransferMembers) transfer.AsObject().ContainsKey(member).ShouldBeTrue($"Transfer lacks '{member}': {transfer.ToJsonString()}");
        transfer["id"]!.GetValue<Guid>().ShouldNotBe(Guid.Empty);
        transfer["fromAccountId"]!.GetValue<Guid>().ShouldBe(from);
        transfer["toAccountId"]!.GetValue<Guid>().ShouldBe(to);
        transfer["amount"]!.GetValue<long>().ShouldBe(amount);
        transfer["currency"]!.GetValue<string>().ShouldBe(currency);
        transfer["status"]!.GetValue<string>().ShouldBe("completed");
        transfer["timestamp"]!.GetValue<DateTimeOffset>().Offset.ShouldBe(TimeSpan.Zero);
        transfer["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_transfer_answers_201_with_the_transfer_and_moves_the_money()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 1_000);
        var to = await api.Client().OpenIdAsync();
        var id = Guid.NewGuid();
        var body = new
        {
            id, fromAccountId = from, toAccountId = to, amount = 400, currency = "USD", reference = "invoice 17",
            metadata = new Dictionary<string, string> { ["order"] = "A-1", ["channel"] = "web" },
        };

        var response = await api.Client().SubmitAsync("/transfers", body);

        var transfer = response.ShouldBe(HttpStatusCode.Created).Json;
        response.ContentType.ShouldBe("application/json");
        ShouldBeTransfer(transfer, from, to, 400, "USD");
        transfer["id"]!.GetValue<Guid>().ShouldBe(id);
        transfer["reference"]!.GetValue<string>().ShouldBe("invoice 17");
        transfer["metadata"]!["order"]!.GetValue<string>().ShouldBe("A-1");
        transfer["metadata"]!["channel"]!.GetValue<string>().ShouldBe("web");
        transfer["metadata"]!.AsObject().Count.ShouldBe(2);
        (await api.BalanceAsync(from)).ShouldBe(600);
        (await api.BalanceAsync(to)).ShouldBe(400);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_transfer_without_reference_or_metadata_has_them_null()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 5);
        var to = await api.Client().OpenIdAsync();

        var transfer = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 5))).ShouldBe(HttpStatusCode.Created).Json;

        transfer["reference"].ShouldBeNull();
        transfer["metadata"].ShouldBeNull();
        (await api.BalanceAsync(from)).ShouldBe(0);
    }

    [Fact]
    public async Task a_transfer_reads_back_by_id_exactly_as_it_was_created()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 50);
        var to = await api.Client().OpenIdAsync();
        var created = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 20))).ShouldBe(HttpStatusCode.Created).Json;

        var response = await api.Auditor().FetchAsync($"/transfers/{created["id"]}");

        response.ShouldBe(HttpStatusCode.OK);
        response.ContentType.ShouldBe("application/json");
        JsonNode.DeepEquals(response.Json, created).ShouldBeTrue($"{created.ToJsonString()} vs {response.Text}");
    }

    [Fact]
    public async Task an_unknown_transfer_is_404_not_found() =>
        (await api.Client().FetchAsync($"/transfers/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task a_rejected_transfer_cannot_be_read_back()
    {
        var from = await api.Client().OpenIdAsync();
        var to = await api.Client().OpenIdAsync();
        var id = Guid.NewGuid();
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1, id: id))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        (await api.Client().FetchAsync($"/transfers/{id}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task an_account_id_is_not_a_transfer() =>
        (await api.Client().FetchAsync($"/transfers/{await api.Client().OpenIdAsync()}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task a_deposit_credits_the_account_from_the_currencys_settlement_account()
    {
        var account = await api.Client().OpenIdAsync("EUR");

        var deposit = (await api.Client().SubmitAsync("/deposits", new { accountId = account, amount = 300, currency = "EUR", reference = "cash" }))
            .ShouldBe(HttpStatusCode.Created).Json;

        var settlement = deposit["fromAccountId"]!.GetValue<Guid>();
        ShouldBeTransfer(deposit, settlement, account, 300, "EUR");
        deposit["reference"]!.GetValue<string>().ShouldBe("cash");
        var settlementAccount = (await api.FetchFreshAsync(api.Operator(), $"/accounts/{settlement}")).ShouldBe(HttpStatusCode.OK).Json;
        settlementAccount["allowNegative"]!.GetValue<bool>().ShouldBeTrue();
        settlementAccount["currency"]!.GetValue<string>().ShouldBe("EUR");
        settlementAccount["name"]!.GetValue<string>().ShouldContain("ettlement");
        (await api.BalanceAsync(account)).ShouldBe(300);
        (await api.Client().FetchAsync($"/transfers/{deposit["id"]}")).ShouldBe(HttpStatusCode.OK);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_withdrawal_debits_the_account_to_the_same_settlement_account()
    {
        var account = await api.Client().OpenIdAsync("EUR");
        var deposit = (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 300, "EUR"))).ShouldBe(HttpStatusCode.Created).Json;

        var withdrawal = (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 120, "EUR"))).ShouldBe(HttpStatusCode.Created).Json;

        ShouldBeTransfer(withdrawal, account, deposit["fromAccountId"]!.GetValue<Guid>(), 120, "EUR");
        (await api.BalanceAsync(account)).ShouldBe(180);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_deposit_into_or_withdrawal_from_the_settlement_account_itself_is_refused_without_harming_other_writes()
    {
        var account = await api.Client().OpenIdAsync("CHF");
        var settlement = (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 10, "CHF"))).ShouldBe(HttpStatusCode.Created).Json["fromAccountId"]!.GetValue<Guid>();

        var concurrent = Enumerable.Range(0, 5).Select(_ => api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 1, "CHF"))).ToList();
        var deposit = await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(settlement, 5, "CHF"));
        var withdrawal = await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(settlement, 5, "CHF"));

        deposit.ShouldBeValidationOf("accountId");
        withdrawal.ShouldBeValidationOf("accountId");
        (await Task.WhenAll(concurrent)).ShouldAllBe(r => r.Status == HttpStatusCode.Created);
        (await api.BalanceAsync(account)).ShouldBe(15);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task the_deposit_booking_an_initial_balance_reads_back_as_a_transfer()
    {
        var account = await api.Client().OpenIdAsync("EUR", initialBalance: 250);
        var history = (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray();
        var transferId = history.Single()!["transferId"]!.GetValue<Guid>();

        var response = await api.Client().FetchAsync($"/transfers/{transferId}");

        var transfer = response.ShouldBe(HttpStatusCode.OK).Json;
        transfer["toAccountId"]!.GetValue<Guid>().ShouldBe(account);
        transfer["amount"]!.GetValue<long>().ShouldBe(250);
    }

    [Fact]
    public async Task every_currency_has_its_own_settlement_account()
    {
        var euro = await api.Client().OpenIdAsync("EUR");
        var pound = await api.Client().OpenIdAsync("GBP");

        var a = (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(euro, 1, "EUR"))).ShouldBe(HttpStatusCode.Created).Json;
        var b = (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(pound, 1, "GBP"))).ShouldBe(HttpStatusCode.Created).Json;

        a["fromAccountId"]!.GetValue<Guid>().ShouldNotBe(b["fromAccountId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task withdrawing_more_than_the_balance_is_insufficient_funds_and_moves_nothing()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 100);
        var events = await api.EventCountAsync();

        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 101))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(account)).ShouldBe(100);
    }

    [Fact]
    public async Task a_transfer_may_spend_the_whole_balance_but_not_one_unit_more()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 100);
        var to = await api.Client().OpenIdAsync();

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 101))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 100))).ShouldBe(HttpStatusCode.Created);
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");

        (await api.BalanceAsync(from)).ShouldBe(0);
        (await api.BalanceAsync(to)).ShouldBe(100);
    }

    [Fact]
    public async Task a_transfer_naming_an_unknown_account_is_account_not_found()
    {
        var known = await api.Client().OpenIdAsync(initialBalance: 10);

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(known, Guid.NewGuid(), 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(Guid.NewGuid(), known, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(Guid.NewGuid(), 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(Guid.NewGuid(), 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
        (await api.BalanceAsync(known)).ShouldBe(10);
    }

    [Fact]
    public async Task a_transfer_in_another_currency_than_an_account_is_currency_mismatch()
    {
        var dollars = await api.Client().OpenIdAsync("USD", initialBalance: 100);
        var otherDollars = await api.Client().OpenIdAsync("USD");
        var euros = await api.Client().OpenIdAsync("EUR", initialBalance: 100);

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(dollars, euros, 1, "USD"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "currency_mismatch");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(dollars, otherDollars, 1, "EUR"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "currency_mismatch");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(dollars, 1, "EUR"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "currency_mismatch");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(euros, 1, "GBP"))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "currency_mismatch");

        (await api.BalanceAsync(dollars)).ShouldBe(100);
        (await api.BalanceAsync(euros)).ShouldBe(100);
    }

    [Fact]
    public async Task a_business_rejection_is_a_complete_problem()
    {
        var from = await api.Client().OpenIdAsync();
        var to = await api.Client().OpenIdAsync();

        var problem = await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1));

        problem.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        problem.Json["detail"]!.GetValue<string>().ShouldContain(from.ToString());
    }

    [Fact]
    public async Task every_timestamp_on_the_wire_is_iso_8601_utc()
    {
        var utc = new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$");
        var opened = await api.Client().OpenAsync(initialBalance: 8);
        var id = opened["id"]!.GetValue<Guid>();
        var transfer = (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(id, 1))).ShouldBe(HttpStatusCode.Created).Json;

        var stamps = new List<string>
        {
            opened["openedAt"]!.GetValue<string>(),
            transfer["timestamp"]!.GetValue<string>(),
            (await api.Client().FetchAsync($"/transfers/{transfer["id"]}")).Json["timestamp"]!.GetValue<string>(),
            (await api.FetchFreshAsync(api.Client(), $"/accounts/{id}")).Json["openedAt"]!.GetValue<string>(),
            (await api.FetchFreshAsync(api.Client(), $"/accounts/{id}/balance")).Json["asOf"]!.GetValue<string>(),
            (await api.FetchFreshAsync(api.Client(), $"/accounts/{id}/transactions")).Json["items"]![0]!["timestamp"]!.GetValue<string>(),
            (await api.Auditor().FetchAsync($"/audit?accountId={id}")).Json["items"]![0]!["at"]!.GetValue<string>(),
        };

        stamps.ShouldAllBe(s => utc.IsMatch(s));
    }

    [Fact]
    public async Task an_operator_may_move_money_too()
    {
        var from = await api.Operator().OpenIdAsync(initialBalance: 3);
        var to = await api.Operator().OpenIdAsync();

        (await api.Operator().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 3))).ShouldBe(HttpStatusCode.Created);
        (await api.Operator().SubmitAsync("/withdrawals", ContractHttp.Movement(to, 3))).ShouldBe(HttpStatusCode.Created);
        (await api.BalanceAsync(to)).ShouldBe(0);
    }
}
