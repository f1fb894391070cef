using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Ledger.Projections.Store;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// A second API process on the schema of an existing one: same database, same schema, its own write
/// pipeline, daemon and connection pool, as a second replica of a deployment would be. Its
/// <see cref="LedgerApiFactory.Schema"/> is an unused name; run SQL through the first factory.
/// The caller initializes and disposes it (through <see cref="IAsyncLifetime"/>).
/// </summary>
public sealed class SameSchemaApiFactory : LedgerApiFactory
{
    public SameSchemaApiFactory(LedgerApiFactory first, string? apiKeys = null)
    {
        foreach (var (key, value) in first.Settings) Settings[key] = value;
        // Settings are applied after the base configuration, so these win.
        Settings["Ledger:Schema"] = first.Schema;
        if (apiKeys is not null) Settings["LEDGER_API_KEYS"] = apiKeys;
    }
}

/// <summary>
/// Two instances of the API on one schema, as a fixture: this factory and <see cref="Second"/>, started
/// and stopped together. The second host only stops; the schema is the first's to drop.
/// </summary>
public class TwoInstancesApi : LedgerApiFactory, IAsyncLifetime
{
    public SameSchemaApiFactory Second { get; private set; } = null!;

    /// <summary>The second instance's API keys (null: the first's).</summary>
    protected virtual string? SecondApiKeys => null;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Second = new SameSchemaApiFactory(this, SecondApiKeys);
        await Second.InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Second.DisposeAsync();
        await DisposeAsync();
        await ExecuteAsync("DROP SCHEMA IF EXISTS {schema} CASCADE");
    }
}

/// <summary>SQL and HTTP helpers shared by the read-side tests.</summary>
public static class ReadSideSupport
{
    /// <summary>Runs a query on the factory's schema and maps every row.</summary>
    public static async Task<List<T>> QueryAsync<T>(this LedgerApiFactory api, string sql, Func<NpgsqlDataReader, T> map)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", api.Schema, StringComparison.Ordinal), connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(map(reader));
        return rows;
    }

    /// <summary>GETs and fails the test on anything but 200.</summary>
    public static async Task<JsonNode> GetOkAsync(this HttpClient client, string path)
    {
        var (status, body) = await client.GetJsonAsync(path);
        status.ShouldBe(HttpStatusCode.OK, $"GET {path}: {body?.ToJsonString()}");
        return body!;
    }

    public static LogPosition Position(string? text)
    {
        LogPosition.TryParse(text, out var position).ShouldBeTrue($"'{text}' is not a position");
        return position;
    }

    public static LogPosition Position(JsonNode? node) => Position(node?.GetValue<string>());

    /// <summary>Every item of an account's history through the API, page by page, following nextCursor.</summary>
    public static async Task<(List<JsonNode> Items, int Pages)> ReadHistoryAsync(this HttpClient client, Guid accountId, int limit)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = $"/accounts/{accountId}/transactions?limit={limit.ToString(CultureInfo.InvariantCulture)}"
                       + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await client.GetOkAsync(path);
            var pageItems = page["items"]!.AsArray().Select(i => i!).ToList();
            pageItems.Count.ShouldBeLessThanOrEqualTo(limit);
            items.AddRange(pageItems);
            cursor = page["nextCursor"]?.GetValue<string>();
            if (cursor is not null) pageItems.Count.ShouldBe(limit, "only a full page may point to a next one");
            (++pages).ShouldBeLessThan(10_000, "nextCursor never ran out");
        } while (cursor is not null);
        return (items, pages);
    }

    /// <summary>Every audit entry after a sequence through the API, page by page.</summary>
    public static async Task<List<JsonNode>> ReadAuditAsync(this HttpClient auditor, long afterSequence = 0, int limit = 100, Guid? accountId = null)
    {
        var items = new List<JsonNode>();
        string? after = afterSequence.ToString(CultureInfo.InvariantCulture);
        while (after is not null)
        {
            var page = await auditor.GetOkAsync($"/audit?limit={limit.ToString(CultureInfo.InvariantCulture)}&after={after}"
                                                + (accountId is null ? "" : $"&accountId={accountId}"));
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            after = page["nextCursor"]?.GetValue<string>();
        }
        return items;
    }

    public static async Task<(bool Valid, long EntriesChecked, long? FirstInvalidSequence)> VerifyAuditAsync(this HttpClient auditor)
    {
        var body = await auditor.GetOkAsync("/audit/verify");
        return (body["valid"]!.GetValue<bool>(), body["entriesChecked"]!.GetValue<long>(), body["firstInvalidSequence"]?.GetValue<long>());
    }

    public static async Task<JsonNode> ProjectionAsync(this HttpClient inspector, string name)
    {
        var all = (await inspector.GetOkAsync("/admin/projections")).AsArray();
        return all.SingleOrDefault(p => p!["name"]!.GetValue<string>() == name)
               ?? throw new ShouldAssertException($"/admin/projections has no '{name}': {all.ToJsonString()}");
    }
}
