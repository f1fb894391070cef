using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>A response as the contract sees it: status, content type, headers and the parsed JSON body.</summary>
public sealed record ContractResponse(HttpStatusCode Status, string? ContentType, HttpResponseMessage Message, string Text, JsonNode? Body)
{
    public override string ToString() => $"{(int)Status} {ContentType}: {Text}";

    public JsonNode Json => Body ?? throw new ShouldAssertException($"Expected a JSON body, got: {this}");

    /// <summary>The response has this status (the message shows the whole response when it has not).</summary>
    public ContractResponse ShouldBe(HttpStatusCode status)
    {
        Status.ShouldBe(status, ToString());
        return this;
    }

    /// <summary>An RFC 9457 problem with all five members, the given status and the contract's code.</summary>
    public ContractResponse ShouldBeProblem(HttpStatusCode status, string code)
    {
        Status.ShouldBe(status, ToString());
        ContentType.ShouldBe("application/problem+json", ToString());
        var body = Body as JsonObject ?? throw new ShouldAssertException($"A problem must be a JSON object: {this}");
        foreach (var member in new[] { "type", "title", "status", "detail", "code" })
            body.ContainsKey(member).ShouldBeTrue($"problem lacks '{member}': {Text}");
        body["type"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        body["title"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        body["detail"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        body["status"]!.GetValue<int>().ShouldBe((int)status, Text);
        body["code"]!.GetValue<string>().ShouldBe(code, Text);
        return this;
    }

    /// <summary>A 400 validation_failed whose <c>errors</c> names exactly this camelCase member among its keys.</summary>
    public ContractResponse ShouldBeValidationOf(string member)
    {
        ShouldBeProblem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = Json["errors"] as JsonObject ?? throw new ShouldAssertException($"validation problem lacks 'errors': {Text}");
        errors.ContainsKey(member).ShouldBeTrue($"errors should be keyed by '{member}': {Text}");
        var messages = errors[member]!.AsArray();
        messages.Count.ShouldBeGreaterThan(0, Text);
        messages.ShouldAllBe(m => !string.IsNullOrWhiteSpace(m!.GetValue<string>()));
        return this;
    }
}

/// <summary>Raw HTTP helpers for contract tests: every call returns the whole response, not only the body.</summary>
public static class ContractHttp
{
    public static Task<ContractResponse> SubmitAsync(this HttpClient client, string path, object body) =>
        SendAsync(client, HttpMethod.Post, path, JsonContent.Create(body));

    public static Task<ContractResponse> PostRawJsonAsync(this HttpClient client, string path, string json, string contentType = "application/json") =>
        SendAsync(client, HttpMethod.Post, path, new StringContent(json, new System.Net.Http.Headers.MediaTypeHeaderValue(contentType) { CharSet = "utf-8" }));

    public static Task<ContractResponse> PostEmptyAsync(this HttpClient client, string path) =>
        SendAsync(client, HttpMethod.Post, path, null);

    public static Task<ContractResponse> FetchAsync(this HttpClient client, string path) =>
        SendAsync(client, HttpMethod.Get, path, null);

    /// <summary>Polls the job as a client would (the contract's way to follow a job) until it is no longer running.</summary>
    public static async Task<JsonNode> JobWhenEndedAsync(this HttpClient client, Guid jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = (await client.FetchAsync($"/admin/jobs/{jobId}")).ShouldBe(HttpStatusCode.OK).Json;
            var status = job["status"]!.GetValue<string>();
            status.ShouldBeOneOf("running", "succeeded", "failed");
            if (status != "running") return job;
            job.AsObject().ContainsKey("finishedAt").ShouldBeFalse("finishedAt appears only once the job has ended");
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the rebuild job did not end within 60 s");
            await Task.Delay(50);
        }
    }

    public static async Task<ContractResponse> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = null;
            }
        }
        return new ContractResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response, text, body);
    }

    /// <summary>Opens an account through the API and returns its 201 body.</summary>
    public static async Task<JsonNode> OpenAsync(this HttpClient client, string currency = "USD", long initialBalance = 0, string? name = null, bool allowNegative = false)
    {
        var body = new JsonObject { ["currency"] = currency };
        if (initialBalance > 0) body["initialBalance"] = initialBalance;
        if (name is not null) body["name"] = name;
        if (allowNegative) body["allowNegative"] = true;
        return (await client.PostRawJsonAsync("/accounts", body.ToJsonString())).ShouldBe(HttpStatusCode.Created).Json;
    }

    public static async Task<Guid> OpenIdAsync(this HttpClient client, string currency = "USD", long initialBalance = 0) =>
        (await client.OpenAsync(currency, initialBalance))["id"]!.GetValue<Guid>();

    /// <summary>
    /// A read of the async views once they have caught up with every write so far (waits on checkpoints,
    /// never sleeps): the contract makes plain reads eventually consistent, so assertions on them wait first.
    /// </summary>
    public static async Task<ContractResponse> FetchFreshAsync(this LedgerApiFactory api, HttpClient client, string path)
    {
        await api.WaitForProjectionsAsync();
        return await client.FetchAsync(path);
    }

    /// <summary>The balance from GET /accounts/{id}/balance once the views have caught up.</summary>
    public static async Task<long> BalanceAsync(this LedgerApiFactory api, Guid accountId) =>
        (await api.FetchFreshAsync(api.Client(), $"/accounts/{accountId}/balance")).ShouldBe(HttpStatusCode.OK).Json["balance"]!.GetValue<long>();

    public static object Transfer(Guid from, Guid to, long amount, string currency = "USD", Guid? id = null) =>
        id is null
            ? new { fromAccountId = from, toAccountId = to, amount, currency }
            : new { id, fromAccountId = from, toAccountId = to, amount, currency };

    public static object Movement(Guid account, long amount, string currency = "USD", Guid? id = null) =>
        id is null ? new { accountId = account, amount, currency } : new { id, accountId = account, amount, currency };

    /// <summary>Double entry: for every currency the write side's balances sum to zero, and no plain account is overdrawn.</summary>
    public static async Task ShouldKeepEveryCurrencyBalancedAsync(this LedgerApiFactory api)
    {
        (await api.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT currency FROM {schema}.account_snapshots GROUP BY currency HAVING sum(balance) <> 0) unbalanced
            """)).ShouldBe(0, "some currency's balances do not sum to zero");
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.account_snapshots WHERE NOT allow_negative AND balance < 0"))
            .ShouldBe(0, "a non-overdraft account is below zero");
    }

    public static Task<long> EventCountAsync(this LedgerApiFactory api) => api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events");
}
