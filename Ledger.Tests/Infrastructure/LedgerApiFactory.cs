using System.Net.Http.Json;
using Ledger.Projections.Store;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Tests.Infrastructure;

/// <summary>
/// The real API (HTTP pipeline, write pipeline, daemon) on a schema of its own in the shared test
/// database. One instance per test class; extra configuration (risk limits, batch sizes) goes through
/// <see cref="Settings"/> before first use.
/// </summary>
public class LedgerApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key";
    public const string ClientKey = "test-client-key";
    public const string AuditorKey = "test-auditor-key";

    public string Schema { get; } = TestDatabase.NewSchemaName("api");
    public string ConnectionString { get; private set; } = "";
    public Dictionary<string, string> Settings { get; } = [];

    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.ConnectionStringAsync();
        _ = Server; // starts the host: migrations, daemon and pipeline
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("LEDGER_DB", ConnectionString);
        builder.UseSetting("LEDGER_API_KEYS", $"{OperatorKey}:operator:test-operator,{ClientKey}:client:test-client,{AuditorKey}:auditor:test-auditor");
        builder.UseSetting("Ledger:Schema", Schema);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public HttpClient Client(string? apiKey = ClientKey)
    {
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public HttpClient Operator() => Client(OperatorKey);
    public HttpClient Auditor() => Client(AuditorKey);

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Waits on the projection's checkpoint (never a sleep) until it has passed the log head.</summary>
    public async Task WaitForProjectionsAsync(params string[] projections)
    {
        var waiter = Service<ProjectionProgress>();
        var head = await waiter.HeadAsync(CancellationToken.None);
        foreach (var projection in projections.Length > 0 ? projections : ["balances", "transactions"])
            (await waiter.WaitForAsync(projection, head, TimeSpan.FromSeconds(30), CancellationToken.None))
                .ShouldBeTrue($"projection {projection} did not reach {head} within 30 s");
    }

    /// <summary>An account stream as Marten stores it.</summary>
    public async Task<IReadOnlyList<JasperFx.Events.IEvent>> StreamAsync(Guid id)
    {
        await using var session = Service<Marten.IDocumentStore>().QuerySession();
        return await session.Events.FetchStreamAsync(id);
    }

    /// <summary>True as soon as the projection reports the status in /admin/projections' terms; false at the timeout.</summary>
    public async Task<bool> WaitForStatusAsync(string projection, string status, TimeSpan timeout, CancellationToken ct)
    {
        var progress = Service<ProjectionProgress>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var current = (await progress.ReadAsync([projection], DateTimeOffset.UtcNow, ct)).Single();
            if (current.Status == status) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(25), ct);
        }
        return false;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal), connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
