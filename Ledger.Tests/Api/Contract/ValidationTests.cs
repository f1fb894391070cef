using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>
/// 400 validation_failed for every malformed request of the contract's table, each a problem whose
/// <c>errors</c> names the camelCase member at fault, and never anything written.
/// </summary>
public sealed class ValidationTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private static readonly Guid From = Guid.Parse("0b4c0f7e-3a34-4b5e-8f1a-111111111111");
    private static readonly Guid To = Guid.Parse("0b4c0f7e-3a34-4b5e-8f1a-222222222222");

    /// <summary>A well-formed transfer body (accounts unknown) with one member replaced, added or removed.</summary>
    private static string TransferWith(Action<JsonObject> change)
    {
        var body = new JsonObject
        {
            ["fromAccountId"] = From.ToString(),
            ["toAccountId"] = To.ToString(),
            ["amount"] = 10,
            ["currency"] = "USD",
        };
        change(body);
        return body.ToJsonString();
    }

    private static string MetadataOf(int entries) =>
        TransferWith(b => b["metadata"] = new JsonObject(Enumerable.Range(0, entries).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)JsonValue.Create($"v{i}")))));

    public static TheoryData<string, string, string> MalformedTransfers() => new()
    {
        { "missing fromAccountId", TransferWith(b => b.Remove("fromAccountId")), "fromAccountId" },
        { "missing toAccountId", TransferWith(b => b.Remove("toAccountId")), "toAccountId" },
        { "missing amount", TransferWith(b => b.Remove("amount")), "amount" },
        { "missing currency", TransferWith(b => b.Remove("currency")), "currency" },
        { "unknown member", TransferWith(b => b["memo"] = "x"), "memo" },
        { "member in PascalCase", TransferWith(b => { b.Remove("amount"); b["Amount"] = 10; }), "Amount" },
        { "amount zero", TransferWith(b => b["amount"] = 0), "amount" },
        { "amount negative", TransferWith(b => b["amount"] = -5), "amount" },
        { "amount 2^63", TransferWith(b => b["amount"] = JsonNode.Parse("9223372036854775808")), "amount" },
        { "amount fractional", TransferWith(b => b["amount"] = 1.5), "amount" },
        { "amount as a string", TransferWith(b => b["amount"] = "10"), "amount" },
        { "amount null", TransferWith(b => b["amount"] = null), "amount" },
        { "currency XXX", TransferWith(b => b["currency"] = "XXX"), "currency" },
        { "currency lower case", TransferWith(b => b["currency"] = "usd"), "currency" },
        { "currency a number", TransferWith(b => b["currency"] = 840), "currency" },
        { "bad UUID in fromAccountId", TransferWith(b => b["fromAccountId"] = "not-a-uuid"), "fromAccountId" },
        { "bad UUID in id", TransferWith(b => b["id"] = "1234"), "id" },
        { "reference of 257 characters", TransferWith(b => b["reference"] = new string('r', 257)), "reference" },
        { "metadata with 17 entries", MetadataOf(17), "metadata" },
        { "metadata with a number value", TransferWith(b => b["metadata"] = new JsonObject { ["k"] = 1 }), "metadata" },
        { "metadata with a nested object", TransferWith(b => b["metadata"] = new JsonObject { ["k"] = new JsonObject() }), "metadata" },
        { "metadata that is an array", TransferWith(b => b["metadata"] = new JsonArray("a")), "metadata" },
    };

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(MalformedTransfers))]
    public async Task a_malformed_transfer_is_a_validation_failure_naming_the_member(string _, string json, string member)
    {
        var events = await api.EventCountAsync();

        (await api.Client().PostRawJsonAsync("/transfers", json)).ShouldBeValidationOf(member);

        (await api.EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_transfer_from_an_account_to_itself_is_a_validation_failure()
    {
        var response = await api.Client().PostRawJsonAsync("/transfers", TransferWith(b => b["toAccountId"] = From.ToString()));

        response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = response.Json["errors"]!.AsObject();
        (errors.ContainsKey("toAccountId") || errors.ContainsKey("fromAccountId")).ShouldBeTrue(response.Text);
    }

    public static TheoryData<string, string> UnreadableBodies() => new()
    {
        { "malformed JSON", "{\"fromAccountId\": \"" + From + "\", \"amount\": 10," },
        { "not JSON at all", "amount=10" },
        { "an empty body", "" },
        { "a JSON array", "[]" },
        { "JSON null", "null" },
        { "trailing garbage after the object", TransferWith(_ => { }) + " x" },
        { "a second object after the first", TransferWith(_ => { }) + "{}" },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task an_unreadable_body_is_a_validation_failure_with_errors(string _, string json)
    {
        var response = await api.Client().PostRawJsonAsync("/transfers", json);

        response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
        response.Json["errors"]!.AsObject().Count.ShouldBeGreaterThan(0, response.Text);
    }

    [Fact]
    public async Task a_body_that_is_not_utf8_is_a_validation_failure()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(TransferWith(b => b["reference"] = "XX"));
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        (await ContractHttp.SendAsync(api.Client(), HttpMethod.Post, "/transfers", content)).ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task a_deeply_nested_body_is_a_validation_failure()
    {
        var json = TransferWith(b => b["metadata"] = JsonNode.Parse(string.Concat(Enumerable.Repeat("{\"a\":", 60)) + "1" + new string('}', 60)));
        var deeper = json.Replace("\"metadata\":", "\"metadata\":" + string.Concat(Enumerable.Repeat("[", 200)), StringComparison.Ordinal);

        (await api.Client().PostRawJsonAsync("/transfers", json)).ShouldBeValidationOf("metadata");
        (await api.Client().PostRawJsonAsync("/transfers", deeper)).ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("/transfers", "reference")]
    [InlineData("/transfers", "metadata")]
    [InlineData("/deposits", "reference")]
    [InlineData("/accounts", "name")]
    public async Task a_nul_character_in_text_is_a_validation_failure_and_does_not_fail_other_writes(string path, string member)
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 10);
        var other = await api.Client().OpenIdAsync();
        const string nul = "a\0b";
        var body = path switch
        {
            "/transfers" => new JsonObject { ["fromAccountId"] = account.ToString(), ["toAccountId"] = other.ToString(), ["amount"] = 1, ["currency"] = "USD" },
            "/deposits" => new JsonObject { ["accountId"] = account.ToString(), ["amount"] = 1, ["currency"] = "USD" },
            _ => new JsonObject { ["currency"] = "USD" },
        };
        body[member] = member == "metadata" ? new JsonObject { ["k"] = nul } : nul;
        body.ToJsonString().ShouldContain("\\u0000");
        var events = await api.EventCountAsync();
        var concurrent = Enumerable.Range(0, 5).Select(_ => api.Client().SubmitAsync("/transfers", ContractHttp.Transfer(account, other, 1))).ToList();

        (await api.Client().PostRawJsonAsync(path, body.ToJsonString())).ShouldBeValidationOf(member);

        (await Task.WhenAll(concurrent)).ShouldAllBe(r => r.Status == HttpStatusCode.Created);
        (await api.EventCountAsync()).ShouldBe(events + 10);
    }

    [Fact]
    public async Task an_unpaired_surrogate_in_text_is_refused_with_a_400_not_a_failed_commit()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 10);
        var events = await api.EventCountAsync();

        var response = await api.Client().PostRawJsonAsync("/deposits", $$"""{"accountId":"{{account}}","amount":1,"currency":"USD","reference":"a\ud800b"}""");

        response.ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
        (await api.EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_duplicated_json_member_is_a_validation_failure_naming_it()
    {
        var json = $$"""{"fromAccountId":"{{From}}","toAccountId":"{{To}}","amount":10,"amount":1000000,"currency":"USD"}""";

        (await api.Client().PostRawJsonAsync("/transfers", json)).ShouldBeValidationOf("amount");
    }

    [Fact]
    public async Task a_reference_of_256_characters_and_16_metadata_values_pass_validation()
    {
        var json = TransferWith(b =>
        {
            b["reference"] = new string('é', 256);
            b["metadata"] = new JsonObject(Enumerable.Range(0, 16).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)JsonValue.Create("v"))));
        });

        // Valid, so it reaches the ledger, which does not know these accounts.
        (await api.Client().PostRawJsonAsync("/transfers", json)).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
    }

    [Fact]
    public async Task an_amount_of_2_pow_63_minus_1_passes_validation()
    {
        var json = TransferWith(b => b["amount"] = long.MaxValue);

        (await api.Client().PostRawJsonAsync("/transfers", json)).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "account_not_found");
    }

    public static TheoryData<string, string, string> MalformedMovements() => new()
    {
        { "missing accountId", """{"amount":10,"currency":"USD"}""", "accountId" },
        { "bad UUID in accountId", """{"accountId":"xyz","amount":10,"currency":"USD"}""", "accountId" },
        { "amount zero", $$"""{"accountId":"{{From}}","amount":0,"currency":"USD"}""", "amount" },
        { "amount 2^63", $$"""{"accountId":"{{From}}","amount":9223372036854775808,"currency":"USD"}""", "amount" },
        { "amount as a string", $$"""{"accountId":"{{From}}","amount":"10","currency":"USD"}""", "amount" },
        { "currency XXX", $$"""{"accountId":"{{From}}","amount":10,"currency":"XXX"}""", "currency" },
        { "currency lower case", $$"""{"accountId":"{{From}}","amount":10,"currency":"usd"}""", "currency" },
        { "unknown member", $$"""{"accountId":"{{From}}","amount":10,"currency":"USD","metadata":{} }""", "metadata" },
        { "reference of 257 characters", $$"""{"accountId":"{{From}}","amount":10,"currency":"USD","reference":"{{new string('r', 257)}}"}""", "reference" },
    };

    [Theory]
    [MemberData(nameof(MalformedMovements))]
    public async Task a_malformed_deposit_is_a_validation_failure_naming_the_member(string _, string json, string member) =>
        (await api.Client().PostRawJsonAsync("/deposits", json)).ShouldBeValidationOf(member);

    [Theory]
    [MemberData(nameof(MalformedMovements))]
    public async Task a_malformed_withdrawal_is_a_validation_failure_naming_the_member(string _, string json, string member) =>
        (await api.Client().PostRawJsonAsync("/withdrawals", json)).ShouldBeValidationOf(member);

    public static TheoryData<string, string, string> MalformedAccounts() => new()
    {
        { "missing currency", """{"name":"x"}""", "currency" },
        { "currency XXX", """{"currency":"XXX"}""", "currency" },
        { "currency lower case", """{"currency":"usd"}""", "currency" },
        { "initialBalance zero", """{"currency":"USD","initialBalance":0}""", "initialBalance" },
        { "initialBalance negative", """{"currency":"USD","initialBalance":-1}""", "initialBalance" },
        { "initialBalance 2^63", """{"currency":"USD","initialBalance":9223372036854775808}""", "initialBalance" },
        { "allowNegative a string", """{"currency":"USD","allowNegative":"true"}""", "allowNegative" },
        { "bad UUID in id", """{"id":"nope","currency":"USD"}""", "id" },
        { "unknown member", """{"currency":"USD","balance":5}""", "balance" },
        { "duplicated member", """{"currency":"USD","currency":"EUR"}""", "currency" },
    };

    [Theory]
    [MemberData(nameof(MalformedAccounts))]
    public async Task a_malformed_account_is_a_validation_failure_naming_the_member(string _, string json, string member)
    {
        var events = await api.EventCountAsync();

        (await api.Operator().PostRawJsonAsync("/accounts", json)).ShouldBeValidationOf(member);

        (await api.EventCountAsync()).ShouldBe(events);
    }

    [Theory]
    [InlineData("/transfers")]
    [InlineData("/deposits")]
    [InlineData("/withdrawals")]
    [InlineData("/accounts")]
    public async Task a_body_that_is_not_json_is_415(string path)
    {
        (await api.Operator().PostRawJsonAsync(path, """{"currency":"USD"}""", "text/plain"))
            .ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        (await api.Operator().PostRawJsonAsync(path, "currency=USD", "application/x-www-form-urlencoded"))
            .ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Theory]
    [InlineData("GET", "/accounts/not-a-uuid")]
    [InlineData("GET", "/accounts/not-a-uuid/balance")]
    [InlineData("GET", "/accounts/not-a-uuid/transactions")]
    [InlineData("GET", "/transfers/12345")]
    [InlineData("POST", "/accounts/not-a-uuid/freeze")]
    [InlineData("POST", "/accounts/not-a-uuid/unfreeze")]
    [InlineData("POST", "/accounts/not-a-uuid/close")]
    public async Task a_bad_uuid_in_the_path_is_a_validation_failure(string method, string path) =>
        (await ContractHttp.SendAsync(api.Operator(), new HttpMethod(method), path, null)).ShouldBeValidationOf("id");

    [Theory]
    [InlineData("/accounts?limit=0")]
    [InlineData("/accounts?limit=1001")]
    [InlineData("/accounts?limit=ten")]
    [InlineData("/accounts?limit=-1")]
    [InlineData("/audit?limit=0")]
    [InlineData("/audit?limit=1001")]
    public async Task a_limit_out_of_1_to_1000_is_a_validation_failure(string path) =>
        (await api.Operator().FetchAsync(path)).ShouldBeValidationOf("limit");

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task a_transactions_limit_out_of_range_is_a_validation_failure(int limit)
    {
        var account = await api.Client().OpenIdAsync();

        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions?limit={limit}")).ShouldBeValidationOf("limit");
    }

    [Fact]
    public async Task limits_of_1_and_1000_are_accepted()
    {
        var account = await api.Client().OpenIdAsync();

        (await api.FetchFreshAsync(api.Operator(), "/accounts?limit=1")).ShouldBe(HttpStatusCode.OK);
        (await api.FetchFreshAsync(api.Operator(), "/accounts?limit=1000")).ShouldBe(HttpStatusCode.OK);
        (await api.Operator().FetchAsync("/audit?limit=1000")).ShouldBe(HttpStatusCode.OK);
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions?limit=1")).ShouldBe(HttpStatusCode.OK);
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{account}/transactions?limit=1000")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task empty_query_parameters_count_as_absent()
    {
        var account = await api.Client().OpenIdAsync(initialBalance: 1);
        await api.WaitForProjectionsAsync();

        (await api.Operator().FetchAsync("/accounts?currency=&limit=&cursor=")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray().Count.ShouldBeGreaterThan(0);
        (await api.Auditor().FetchAsync("/audit?accountId=&after=&limit=")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray().Count.ShouldBeGreaterThan(0);
        (await api.Client().FetchAsync($"/accounts/{account}/transactions?limit=&cursor=")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray().Count.ShouldBe(1);
        (await api.Client().FetchAsync($"/accounts/{account}/balance?asOf=&minPosition=")).ShouldBe(HttpStatusCode.OK).Json["balance"]!.GetValue<long>().ShouldBe(1);
        (await api.Client().FetchAsync($"/accounts/{account}?minPosition=")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_bad_currency_filter_on_the_account_listing_is_a_validation_failure()
    {
        (await api.FetchFreshAsync(api.Operator(), "/accounts?currency=XXX")).ShouldBeValidationOf("currency");
        (await api.FetchFreshAsync(api.Operator(), "/accounts?currency=usd")).ShouldBeValidationOf("currency");
    }

    [Fact]
    public async Task a_bad_account_id_filter_on_the_audit_is_a_validation_failure() =>
        (await api.Auditor().FetchAsync("/audit?accountId=nope")).ShouldBeValidationOf("accountId");
}
