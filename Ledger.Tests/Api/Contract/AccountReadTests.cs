using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>GET /accounts/{id} and /balance: read-your-writes with minPosition, 404s, and time travel with asOf.</summary>
public sealed class AccountReadTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task an_account_reads_back_with_its_balance_after_a_transfer_given_its_position()
    {
        var from = await api.Client().OpenIdAsync(initialBalance: 1_000);
        var to = await api.Client().OpenIdAsync();
        var transfer = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 250))).ShouldBe(HttpStatusCode.Created).Json;
        var position = transfer["position"]!.GetValue<string>();

        var account = (await api.Client().FetchAsync($"/accounts/{to}?minPosition={position}")).ShouldBe(HttpStatusCode.OK).Json;
        account["id"]!.GetValue<Guid>().ShouldBe(to);
        account["balance"]!.GetValue<long>().ShouldBe(250);
        account["version"]!.GetValue<long>().ShouldBe(2);
        account["status"]!.GetValue<string>().ShouldBe("active");

        var balance = (await api.Client().FetchAsync($"/accounts/{from}/balance?minPosition={position}")).ShouldBe(HttpStatusCode.OK).Json;
        balance["accountId"]!.GetValue<Guid>().ShouldBe(from);
        balance["currency"]!.GetValue<string>().ShouldBe("USD");
        balance["balance"]!.GetValue<long>().ShouldBe(750);
        balance["version"]!.GetValue<long>().ShouldBe(3);
        balance["asOf"]!.GetValue<DateTimeOffset>().Offset.ShouldBe(TimeSpan.Zero);
        balance["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("1-x")]
    public async Task a_malformed_min_position_is_a_validation_failure(string minPosition)
    {
        var account = await api.Client().OpenIdAsync();

        (await api.Client().FetchAsync($"/accounts/{account}?minPosition={minPosition}")).ShouldBeValidationOf("minPosition");
        (await api.Client().FetchAsync($"/accounts/{account}/balance?minPosition={minPosition}")).ShouldBeValidationOf("minPosition");
    }

    [Fact]
    public async Task a_min_position_the_projection_never_reaches_is_503_unavailable_with_retry_after()
    {
        var account = await api.Client().OpenIdAsync();

        var response = await api.Client().FetchAsync($"/accounts/{account}/balance?minPosition=999999999999");

        response.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "unavailable");
        response.Message.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task an_unknown_account_is_404_not_found()
    {
        var unknown = Guid.NewGuid();

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{unknown}")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{unknown}/balance")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{unknown}/transactions")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task as_of_replays_the_balance_and_version_at_each_instant()
    {
        var opened = await api.Client().OpenAsync("GBP", initialBalance: 1_000);
        var account = opened["id"]!.GetValue<Guid>();
        var other = await api.Client().OpenIdAsync("GBP");
        var first = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 300, "GBP"))).ShouldBe(HttpStatusCode.Created).Json;
        var second = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 200, "GBP"))).ShouldBe(HttpStatusCode.Created).Json;

        var openedAt = opened["openedAt"]!.GetValue<DateTimeOffset>();
        var firstAt = first["timestamp"]!.GetValue<DateTimeOffset>();
        var secondAt = second["timestamp"]!.GetValue<DateTimeOffset>();

        await ShouldBeAsOf(account, openedAt, balance: 1_000, version: 2);
        await ShouldBeAsOf(account, firstAt, balance: 700, version: 3);
        await ShouldBeAsOf(account, firstAt + (secondAt - firstAt) / 2, balance: 700, version: 3);
        await ShouldBeAsOf(account, secondAt, balance: 500, version: 4);
        await ShouldBeAsOf(account, secondAt.AddDays(1), balance: 500, version: 4);
        (await api.BalanceAsync(account)).ShouldBe(500);
    }

    [Fact]
    public async Task as_of_counts_a_freeze_in_the_version_but_not_in_the_balance()
    {
        var account = await api.Client().OpenIdAsync("CHF", initialBalance: 10);
        var frozen = (await api.Operator().PostEmptyAsync($"/accounts/{account}/freeze")).ShouldBe(HttpStatusCode.OK).Json;

        var now = DateTimeOffset.UtcNow.AddSeconds(5);
        await ShouldBeAsOf(account, now, balance: 10, version: frozen["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task as_of_with_an_offset_other_than_utc_names_the_same_instant()
    {
        var opened = await api.Client().OpenAsync("JPY", initialBalance: 5);
        var account = opened["id"]!.GetValue<Guid>();
        var instant = opened["openedAt"]!.GetValue<DateTimeOffset>().ToOffset(TimeSpan.FromHours(9));

        var response = await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/balance?asOf={Uri.EscapeDataString(instant.ToString("O"))}");

        response.ShouldBe(HttpStatusCode.OK).Json["balance"]!.GetValue<long>().ShouldBe(5);
    }

    [Fact]
    public async Task as_of_with_an_unescaped_plus_offset_still_names_that_instant()
    {
        var opened = await api.Client().OpenAsync("JPY", initialBalance: 6);
        var account = opened["id"]!.GetValue<Guid>();
        var instant = opened["openedAt"]!.GetValue<DateTimeOffset>().ToOffset(TimeSpan.FromHours(2));

        var response = await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/balance?asOf={instant:yyyy-MM-dd'T'HH:mm:ss.ffffffzzz}");

        response.ShouldBe(HttpStatusCode.OK).Json["balance"]!.GetValue<long>().ShouldBe(6);
    }

    [Fact]
    public async Task as_of_the_timestamp_a_transfer_answered_includes_that_transfer()
    {
        var account = await api.Client().OpenIdAsync("EUR", initialBalance: 9);
        var withdrawal = (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 4, "EUR"))).ShouldBe(HttpStatusCode.Created).Json;

        var asOf = Uri.EscapeDataString(withdrawal["timestamp"]!.GetValue<string>());
        var response = await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/balance?asOf={asOf}");

        response.ShouldBe(HttpStatusCode.OK).Json["balance"]!.GetValue<long>().ShouldBe(5, response.Text);
        response.Json["version"]!.GetValue<long>().ShouldBe(3);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-45T99:00:00Z")]
    public async Task a_malformed_as_of_is_a_validation_failure(string asOf)
    {
        var account = await api.Client().OpenIdAsync();

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/balance?asOf={asOf}")).ShouldBeValidationOf("asOf");
    }

    [Fact]
    public async Task as_of_for_an_unknown_account_is_404()
    {
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{Guid.NewGuid()}/balance?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}"))
            .ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
    }

    private async Task ShouldBeAsOf(Guid account, DateTimeOffset instant, long balance, long version)
    {
        var asOf = Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        var response = await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/balance?asOf={asOf}");
        var body = response.ShouldBe(HttpStatusCode.OK).Json;
        body["accountId"]!.GetValue<Guid>().ShouldBe(account);
        body["balance"]!.GetValue<long>().ShouldBe(balance, $"as of {asOf}: {response.Text}");
        body["version"]!.GetValue<long>().ShouldBe(version, $"as of {asOf}: {response.Text}");
        body["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(instant.AddTicks(-(instant.Ticks % 10)));
    }
}
