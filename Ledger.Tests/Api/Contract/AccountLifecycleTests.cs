using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>POST /accounts/{id}/freeze, /unfreeze, /close: operator only, 404 unknown, frozen and closed accounts move no money.</summary>
public sealed class AccountLifecycleTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    /// <summary>A frozen account holding 100 and an active one holding 100, both USD.</summary>
    private async Task<(Guid Frozen, Guid Active)> FrozenAccountAsync()
    {
        var frozen = await api.Client().OpenIdAsync(initialBalance: 100);
        var active = await api.Client().OpenIdAsync(initialBalance: 100);
        (await api.Operator().PostEmptyAsync($"/accounts/{frozen}/freeze")).ShouldBe(HttpStatusCode.OK);
        return (frozen, active);
    }

    /// <summary>A closed, empty USD account and an active one holding 100.</summary>
    private async Task<(Guid Closed, Guid Active)> ClosedAccountAsync()
    {
        var closed = await api.Client().OpenIdAsync();
        var active = await api.Client().OpenIdAsync(initialBalance: 100);
        (await api.Operator().PostEmptyAsync($"/accounts/{closed}/close")).ShouldBe(HttpStatusCode.OK);
        return (closed, active);
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task freezing_answers_200_with_the_frozen_account_and_unfreezing_makes_it_active_again()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 100);

        var frozen = (await api.Operator().PostEmptyAsync($"/accounts/{account}/freeze")).ShouldBe(HttpStatusCode.OK).Json;
        frozen["id"]!.GetValue<Guid>().ShouldBe(account);
        frozen["status"]!.GetValue<string>().ShouldBe("frozen");
        frozen["balance"]!.GetValue<long>().ShouldBe(100);
        frozen["version"]!.GetValue<long>().ShouldBe(3);
        frozen["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        (await api.Client().FetchAsync($"/accounts/{account}?minPosition={frozen["position"]}")).Json["status"]!.GetValue<string>().ShouldBe("frozen");

        var active = (await api.Operator().PostEmptyAsync($"/accounts/{account}/unfreeze")).ShouldBe(HttpStatusCode.OK).Json;
        active["status"]!.GetValue<string>().ShouldBe("active");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 1))).ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task a_frozen_account_can_be_neither_debited_nor_credited()
    {
        var (frozen, active) = await FrozenAccountAsync();
        var events = await api.EventCountAsync();

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(frozen, active, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_frozen");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(active, frozen, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_frozen");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(frozen, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_frozen");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(frozen, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_frozen");

        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(frozen)).ShouldBe(100);
        (await api.BalanceAsync(active)).ShouldBe(100);
    }

    [Fact]
    public async Task a_closed_account_can_be_neither_debited_nor_credited()
    {
        var (closed, active) = await ClosedAccountAsync();
        var events = await api.EventCountAsync();

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(active, closed, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(closed, active, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(closed, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(closed, 1))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");

        (await api.EventCountAsync()).ShouldBe(events);
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{closed}")).ShouldBe(HttpStatusCode.OK).Json["status"]!.GetValue<string>().ShouldBe("closed");
    }

    [Fact]
    public async Task closing_an_account_that_holds_money_is_account_not_empty()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 1);

        (await api.Operator().PostEmptyAsync($"/accounts/{account}/close")).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_empty");

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}")).Json["status"]!.GetValue<string>().ShouldBe("active");
    }

    [Fact]
    public async Task an_account_emptied_by_a_withdrawal_can_be_closed()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 40);
        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 40))).ShouldBe(HttpStatusCode.Created);

        var closed = (await api.Operator().PostEmptyAsync($"/accounts/{account}/close")).ShouldBe(HttpStatusCode.OK).Json;

        closed["status"]!.GetValue<string>().ShouldBe("closed");
        closed["balance"]!.GetValue<long>().ShouldBe(0);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_closed_account_cannot_be_unfrozen_back_to_life()
    {
        var (closed, _) = await ClosedAccountAsync();

        (await api.Operator().PostEmptyAsync($"/accounts/{closed}/unfreeze")).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");
        (await api.Operator().PostEmptyAsync($"/accounts/{closed}/freeze")).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_closed");
    }

    [Theory]
    [InlineData("freeze")]
    [InlineData("unfreeze")]
    [InlineData("close")]
    public async Task a_lifecycle_action_on_an_unknown_account_is_404_not_found(string action) =>
        (await api.Operator().PostEmptyAsync($"/accounts/{Guid.NewGuid()}/{action}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");

    [Theory]
    [InlineData("freeze")]
    [InlineData("unfreeze")]
    [InlineData("close")]
    public async Task only_an_operator_may_freeze_unfreeze_or_close(string action)
    {
        var account = await api.Client().OpenIdAsync();

        (await api.Client().PostEmptyAsync($"/accounts/{account}/{action}")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Auditor().PostEmptyAsync($"/accounts/{account}/{action}")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Client(null).PostEmptyAsync($"/accounts/{account}/{action}")).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}")).Json["status"]!.GetValue<string>().ShouldBe("active");
    }

    [Fact]
    public async Task freezing_twice_is_harmless()
    {
        var (frozen, _) = await FrozenAccountAsync();

        var again = (await api.Operator().PostEmptyAsync($"/accounts/{frozen}/freeze")).ShouldBe(HttpStatusCode.OK).Json;

        again["status"]!.GetValue<string>().ShouldBe("frozen");
    }

    [Fact]
    public async Task freezing_accepts_an_empty_json_body()
    {
        var account = await api.Client().OpenIdAsync();

        (await api.Operator().PostRawJsonAsync($"/accounts/{account}/freeze", "")).ShouldBe(HttpStatusCode.OK).Json["status"]!.GetValue<string>().ShouldBe("frozen");
    }
}
