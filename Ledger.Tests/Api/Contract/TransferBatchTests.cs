using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>POST /transfers/batch: in-order results, non-atomic and atomic batches, 400 before anything for a malformed item.</summary>
public sealed class TransferBatchTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static JsonObject Item(Guid from, Guid to, long amount, string currency = "USD", Guid? id = null)
    {
        var item = new JsonObject { ["fromAccountId"] = from.ToString(), ["toAccountId"] = to.ToString(), ["amount"] = amount, ["currency"] = currency };
        if (id is not null) item["id"] = id.ToString();
        return item;
    }

    private Task<ContractResponse> PostBatchAsync(bool atomic, params JsonObject[] items) =>
        api.Client().PostRawJsonAsync("/transfers/batch", new JsonObject { ["atomic"] = atomic, ["transfers"] = new JsonArray(items) }.ToJsonString());

    private static List<JsonNode> Results(ContractResponse response) =>
        response.ShouldBe(HttpStatusCode.OK).Json["results"]!.AsArray().Select(r => r!).ToList();

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"atomic":true}""")]
    [InlineData("""{"transfers":null}""")]
    [InlineData("""{"transfers":[]}""")]
    public async Task a_batch_body_without_transfers_is_a_validation_failure_and_writes_nothing(string body)
    {
        var eventsBefore = await api.EventCountAsync();

        var response = await api.Client().PostRawJsonAsync("/transfers/batch", body);

        response.ShouldBeValidationOf("transfers");
        (await api.EventCountAsync()).ShouldBe(eventsBefore);
    }

    [Fact]
    public async Task a_batch_answers_200_with_one_result_per_transfer_in_request_order()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 100);
        var b = await api.Client().OpenIdAsync();
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();

        var response = await PostBatchAsync(false, Item(a, b, 10, id: ids[0]), Item(a, b, 1_000, id: ids[1]), Item(b, a, 5, id: ids[2]));

        var results = Results(response);
        response.ContentType.ShouldBe("application/json");
        results.Select(r => r["id"]!.GetValue<Guid>()).ShouldBe(ids);
        results.Select(r => r["status"]!.GetValue<string>()).ShouldBe(["completed", "rejected", "completed"]);
        results[1]["code"]!.GetValue<string>().ShouldBe("insufficient_funds");
        results[0]["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        results[2]["position"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        (await api.BalanceAsync(a)).ShouldBe(95);
        (await api.BalanceAsync(b)).ShouldBe(5);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_later_transfer_may_spend_what_an_earlier_one_credited()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 50);
        var b = await api.Client().OpenIdAsync();
        var c = await api.Client().OpenIdAsync();

        var results = Results(await PostBatchAsync(false, Item(a, b, 50), Item(b, c, 50), Item(c, a, 20)));

        results.ShouldAllBe(r => r["status"]!.GetValue<string>() == "completed");
        (await api.BalanceAsync(a)).ShouldBe(20);
        (await api.BalanceAsync(b)).ShouldBe(0);
        (await api.BalanceAsync(c)).ShouldBe(30);
    }

    [Fact]
    public async Task batch_items_read_back_as_transfers()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 10);
        var b = await api.Client().OpenIdAsync();
        var id = Guid.NewGuid();

        Results(await PostBatchAsync(false, Item(a, b, 7, id: id)))[0]["status"]!.GetValue<string>().ShouldBe("completed");

        var transfer = (await api.Auditor().FetchAsync($"/transfers/{id}")).ShouldBe(HttpStatusCode.OK).Json;
        transfer["amount"]!.GetValue<long>().ShouldBe(7);
        transfer["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task a_failed_atomic_batch_commits_nothing_and_links_every_other_result_to_the_failure()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 100);
        var b = await api.Client().OpenIdAsync();
        var euros = await api.Client().OpenIdAsync("EUR");
        var events = await api.EventCountAsync();

        var results = Results(await PostBatchAsync(true, Item(a, b, 10), Item(b, a, 3), Item(a, euros, 1), Item(a, b, 1)));

        results.ShouldAllBe(r => r["status"]!.GetValue<string>() == "rejected");
        results.Select(r => r["code"]!.GetValue<string>()).ShouldBe(["linked_failed", "linked_failed", "currency_mismatch", "linked_failed"]);
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(a)).ShouldBe(100);
        (await api.BalanceAsync(b)).ShouldBe(0);
    }

    [Fact]
    public async Task a_successful_atomic_batch_books_every_leg()
    {
        var payer = await api.Client().OpenIdAsync("GBP", initialBalance: 100);
        var merchant = await api.Client().OpenIdAsync("GBP");
        var fees = await api.Client().OpenIdAsync("GBP");

        var results = Results(await PostBatchAsync(true, Item(payer, merchant, 97, "GBP"), Item(payer, fees, 3, "GBP")));

        results.ShouldAllBe(r => r["status"]!.GetValue<string>() == "completed");
        (await api.BalanceAsync(payer)).ShouldBe(0);
        (await api.BalanceAsync(merchant)).ShouldBe(97);
        (await api.BalanceAsync(fees)).ShouldBe(3);
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }

    [Fact]
    public async Task a_malformed_item_fails_the_whole_batch_with_400_naming_its_index_before_anything_is_applied()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 100);
        var b = await api.Client().OpenIdAsync();
        var events = await api.EventCountAsync();

        var response = await PostBatchAsync(false, Item(a, b, 1), Item(a, b, 2), Item(a, b, 3), Item(a, b, 0));

        response.ShouldBeValidationOf("transfers[3].amount");
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(b)).ShouldBe(0);
    }

    [Fact]
    public async Task a_type_error_in_an_item_is_keyed_by_its_index_path()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 100);
        var b = await api.Client().OpenIdAsync();
        var bad = Item(a, b, 1);
        bad["currency"] = "usd";
        var wrongType = Item(a, b, 1);
        wrongType["amount"] = "1";

        (await PostBatchAsync(true, Item(a, b, 1), bad)).ShouldBeValidationOf("transfers[1].currency");
        (await PostBatchAsync(true, Item(a, b, 1), Item(a, b, 1), wrongType)).ShouldBeValidationOf("transfers[2].amount");
    }

    [Fact]
    public async Task more_than_8190_transfers_is_a_validation_failure()
    {
        var item = Item(Guid.NewGuid(), Guid.NewGuid(), 1);
        var items = Enumerable.Range(0, 8191).Select(_ => (JsonObject)item.DeepClone()).ToArray();

        (await PostBatchAsync(false, items)).ShouldBeValidationOf("transfers");
    }

    [Fact]
    public async Task a_batch_retried_with_the_same_ids_moves_the_money_once()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 100);
        var b = await api.Client().OpenIdAsync();
        var first = Item(a, b, 30, id: Guid.NewGuid());
        var second = Item(a, b, 40, id: Guid.NewGuid());
        var original = Results(await PostBatchAsync(false, first, second));
        var events = await api.EventCountAsync();

        var retried = Results(await PostBatchAsync(false, (JsonObject)first.DeepClone(), (JsonObject)second.DeepClone()));

        retried.Select(r => r["status"]!.GetValue<string>()).ShouldBe(original.Select(r => r["status"]!.GetValue<string>()));
        (await api.EventCountAsync()).ShouldBe(events);
        (await api.BalanceAsync(b)).ShouldBe(70);
    }

    [Fact]
    public async Task an_auditor_may_not_post_a_batch()
    {
        var a = await api.Client().OpenIdAsync(initialBalance: 1);

        (await api.Auditor().PostRawJsonAsync("/transfers/batch", new JsonObject { ["atomic"] = false, ["transfers"] = new JsonArray(Item(a, Guid.NewGuid(), 1)) }.ToJsonString()))
            .ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
    }
}
