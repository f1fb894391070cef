using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>
/// A client-supplied id is the idempotency key: the same body again is 200 with the original result and
/// writes nothing, another body is 409, a 422 is remembered, and concurrent duplicates have one effect.
/// </summary>
public sealed class IdempotencyTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    /// <summary>Two USD accounts, the first holding 1000.</summary>
    private async Task<(Guid From, Guid To)> FundedPairAsync(long balance = 1_000)
    {
        var from = await api.Client().OpenIdAsync(initialBalance: balance);
        var to = await api.Client().OpenIdAsync();
        return (from, to);
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_transfer_retried_with_the_same_id_and_body_answers_200_with_the_original_body_and_writes_nothing()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        var first = await api.Client().PostRawJsonAsync("/transfers",
            $$"""{"id":"{{id}}","fromAccountId":"{{from}}","toAccountId":"{{to}}","amount":250,"currency":"USD","reference":"r","metadata":{"a":"1","b":"2"} }""");
        first.ShouldBe(HttpStatusCode.Created);
        var events = await api.EventCountAsync();
        var audit = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries");

        // Same members and values: other order, other white space, metadata reordered, id in upper case.
        var retry = await api.Client().PostRawJsonAsync("/transfers", $$"""
            {
              "metadata" : { "b" : "2", "a" : "1" },
              "currency" : "USD",   "amount" : 250,
              "reference": "r", "toAccountId": "{{to}}",
              "fromAccountId": "{{from}}", "id": "{{id.ToString().ToUpperInvariant()}}"
            }
            """);

        retry.ShouldBe(HttpStatusCode.OK);
        JsonNode.DeepEquals(retry.Json, first.Json).ShouldBeTrue($"{first.Text} vs {retry.Text}");
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries")).ShouldBe(audit);
        (await api.BalanceAsync(from)).ShouldBe(750);
        (await api.BalanceAsync(to)).ShouldBe(250);
    }

    [Fact]
    public async Task a_retry_by_another_key_of_the_same_body_is_still_the_same_transfer()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        var first = (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 10, id: id))).ShouldBe(HttpStatusCode.Created).Json;

        var retry = (await api.Operator().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 10, id: id))).ShouldBe(HttpStatusCode.OK).Json;

        JsonNode.DeepEquals(retry, first).ShouldBeTrue();
        (await api.BalanceAsync(to)).ShouldBe(10);
    }

    [Fact]
    public async Task a_transfer_reusing_an_id_with_another_amount_is_an_idempotency_conflict()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 100, id: id))).ShouldBe(HttpStatusCode.Created);
        var events = await api.EventCountAsync();

        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 101, id: id))).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");

        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(to)).ShouldBe(100);
        // The original is untouched and still answers its own retry.
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 100, id: id))).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_transfer_reusing_an_id_with_one_more_member_is_an_idempotency_conflict()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 5, id: id))).ShouldBe(HttpStatusCode.Created);

        (await api.Client().SubmitAsync("/transfers", new { id, fromAccountId = from, toAccountId = to, amount = 5, currency = "USD", reference = "x" }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        (await api.Client().SubmitAsync("/transfers", new { id, fromAccountId = from, toAccountId = to, amount = 5, currency = "USD", metadata = new { k = "v" } }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
    }

    [Fact]
    public async Task a_deposits_id_reused_as_a_withdrawal_is_an_idempotency_conflict()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 500);
        var id = Guid.NewGuid();
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 50, id: id))).ShouldBe(HttpStatusCode.Created);
        var events = await api.EventCountAsync();

        (await api.Client().SubmitAsync("/withdrawals", ContractHttp.Movement(account, 50, id: id))).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");

        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(account)).ShouldBe(550);
    }

    [Fact]
    public async Task an_id_reused_across_accounts_and_transfers_is_an_idempotency_conflict()
    {
        var (from, to) = await FundedPairAsync();
        var transferId = Guid.NewGuid();
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1, id: transferId))).ShouldBe(HttpStatusCode.Created);

        (await api.Client().SubmitAsync("/accounts", new { id = transferId, currency = "USD" })).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(to, 1, id: transferId))).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        (await api.Client().SubmitAsync("/transfers", new { id = from, fromAccountId = from, toAccountId = to, amount = 1, currency = "USD" }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
    }

    [Fact]
    public async Task an_account_opened_again_with_the_same_id_and_body_answers_200_with_the_original_account()
    {
        var id = Guid.NewGuid();
        var first = await api.Client().PostRawJsonAsync("/accounts", $$"""{"id":"{{id}}","currency":"EUR","name":"twice","initialBalance":70}""");
        first.ShouldBe(HttpStatusCode.Created);
        var events = await api.EventCountAsync();

        var retry = await api.Client().PostRawJsonAsync("/accounts", $$"""{ "initialBalance": 70, "name": "twice", "currency": "EUR", "id": "{{id}}" }""");

        retry.ShouldBe(HttpStatusCode.OK);
        JsonNode.DeepEquals(retry.Json, first.Json).ShouldBeTrue($"{first.Text} vs {retry.Text}");
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(id)).ShouldBe(70);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task an_account_opened_again_with_the_same_id_and_another_body_is_an_idempotency_conflict()
    {
        var id = Guid.NewGuid();
        (await api.Client().SubmitAsync("/accounts", new { id, currency = "EUR" })).ShouldBe(HttpStatusCode.Created);

        (await api.Client().SubmitAsync("/accounts", new { id, currency = "GBP" })).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        (await api.Client().SubmitAsync("/accounts", new { id, currency = "EUR", name = "renamed" })).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        (await api.Client().SubmitAsync("/accounts", new { id, currency = "EUR", initialBalance = 5 })).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");

        var account = (await api.FetchFreshAsync(api.Client(), $"/accounts/{id}")).ShouldBe(HttpStatusCode.OK).Json;
        account["currency"]!.GetValue<string>().ShouldBe("EUR");
        account["balance"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task a_rejected_transfer_retried_returns_the_same_422_even_once_it_could_succeed()
    {
        var (from, to) = await FundedPairAsync(balance: 10);
        var id = Guid.NewGuid();
        var rejected = await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 50, id: id));
        rejected.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(from, 100))).ShouldBe(HttpStatusCode.Created);
        var events = await api.EventCountAsync();

        var retried = await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 50, id: id));

        retried.ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "insufficient_funds");
        retried.Json["detail"]!.GetValue<string>().ShouldBe(rejected.Json["detail"]!.GetValue<string>());
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(to)).ShouldBe(0);
        // The id stays taken by the rejection: another body under it is still a conflict.
        (await api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 5, id: id))).ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict");
    }

    [Fact]
    public async Task a_rejected_deposit_to_an_unknown_account_is_remembered_too()
    {
        var id = Guid.NewGuid();
        var ghost = Guid.NewGuid();
        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(ghost, 5, id: id))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");

        (await api.Client().SubmitAsync("/deposits", ContractHttp.Movement(ghost, 5, id: id))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
    }

    [Fact]
    public async Task twenty_simultaneous_identical_transfers_move_the_money_once()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        var body = ContractHttp.Transfer(from, to, 300, id: id);
        var events = await api.EventCountAsync();
        var clients = Enumerable.Range(0, 20).Select(_ => api.Client()).ToList();

        // Every request is in flight before the first answer comes back.
        var answered = await Task.WhenAll(clients.Select(client => client.SubmitAsync("/transfers", body)));

        answered.Count(r => r.Status == HttpStatusCode.Created).ShouldBe(1, string.Join("\n", answered.Select(r => r.ToString())));
        answered.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(19, string.Join("\n", answered.Select(r => r.ToString())));
        answered.ShouldAllBe(r => JsonNode.DeepEquals(r.Json, answered[0].Json));
        (await api.EventCountAsync()).ShouldBe(events + 2);
        (await api.BalanceAsync(from)).ShouldBe(700);
        (await api.BalanceAsync(to)).ShouldBe(300);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task twenty_simultaneous_identical_account_openings_open_one_account()
    {
        var id = Guid.NewGuid();
        var clients = Enumerable.Range(0, 20).Select(_ => api.Client()).ToList();

        var responses = await Task.WhenAll(clients.Select(client => client.SubmitAsync("/accounts", new { id, currency = "JPY", initialBalance = 9 })));

        responses.Count(r => r.Status == HttpStatusCode.Created).ShouldBe(1, string.Join("\n", responses.Select(r => r.ToString())));
        responses.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(19);
        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.account_snapshots WHERE id = '{id}'")).ShouldBe(1);
        (await api.BalanceAsync(id)).ShouldBe(9);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task twenty_simultaneous_transfers_sharing_an_id_with_different_amounts_have_one_effect_and_the_rest_conflict()
    {
        var (from, to) = await FundedPairAsync();
        var id = Guid.NewGuid();
        var clients = Enumerable.Range(0, 20).Select(_ => api.Client()).ToList();

        var responses = await Task.WhenAll(clients.Select((client, i) => client.SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 1 + i, id: id))));

        var winner = responses.Single(r => r.Status == HttpStatusCode.Created);
        responses.Where(r => r != winner).ToList().ForEach(r => r.ShouldBeProblem(HttpStatusCode.Conflict, "idempotency_conflict"));
        (await api.BalanceAsync(to)).ShouldBe(winner.Json["amount"]!.GetValue<long>());
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }
}
