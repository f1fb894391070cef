using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Tests.Infrastructure;

/// <summary>Small helpers that speak the contract's JSON, so tests read as requests and expectations.</summary>
public static class LedgerClient
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostJsonAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostRawAsync(this HttpClient client, string path, string json, string contentType = "application/json")
    {
        var response = await client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, contentType));
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Opens an account and returns its id; fails the test on anything but 201.</summary>
    public static async Task<Guid> OpenAccountAsync(this HttpClient client, string currency = "USD", long initialBalance = 0, bool allowNegative = false)
    {
        object body = initialBalance > 0 ? new { currency, initialBalance, allowNegative } : new { currency, allowNegative };
        var (status, json) = await client.PostJsonAsync("/accounts", body);
        status.ShouldBe(HttpStatusCode.Created, json?.ToJsonString());
        return json!["id"]!.GetValue<Guid>();
    }

    public static async Task<JsonNode> TransferAsync(this HttpClient client, Guid from, Guid to, long amount, string currency = "USD")
    {
        var (status, json) = await client.PostJsonAsync("/transfers", new { fromAccountId = from, toAccountId = to, amount, currency });
        status.ShouldBe(HttpStatusCode.Created, json?.ToJsonString());
        return json!;
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
