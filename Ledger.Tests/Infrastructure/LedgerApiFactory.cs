using System.Net.Http.Json;
using Alba;
using Ledger.Projections.Store;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Infrastructure;

/// <summary>
/// The real API (HTTP pipeline, write pipeline, Marten and its daemon), hosted by Alba, on a schema of its
/// own in the shared test database. One instance per test class; extra configuration (risk limits, batch
/// sizes) goes through <see cref="Settings"/> before first use. Tests call it through plain HttpClients
/// (the contract is HTTP) or through Alba's scenarios (<see cref="Host"/>).
/// </summary>
public class LedgerApiFactory : IAsyncLifetime, IAsyncDisposable
{
    public const string OperatorKey = "test-operator-key";
    public const string ClientKey = "test-client-key";
    public const string AuditorKey = "test-auditor-key";

    private IAlbaHost? _host;

    public string Schema { get; } = TestDatabase.NewSchemaName("api");
    public string ConnectionString { get; private set; } = "";
    public Dictionary<string, string> Settings { get; } = [];

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The API host has not been started (InitializeAsync).");

    public IServiceProvider Services => Host.Services;

    /// <summary>Starts the host: migrations, settlement accounts, the daemon and the write pipeline.</summary>
    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.ConnectionStringAsync();
        _host = await AlbaHost.For<Program>(ConfigureWebHost);
    }

    private void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("LEDGER_DB", ConnectionString);
        builder.UseSetting("LEDGER_API_KEYS", $"{OperatorKey}:operator:test-operator,{ClientKey}:client:test-client,{AuditorKey}:auditor:test-auditor");
        builder.UseSetting("Ledger:Schema", Schema);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>Stops the host; the schema stays (a second host on the same schema stops this way).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _host = null;
        GC.SuppressFinalize(this);
    }

    public HttpClient Client(string? apiKey = ClientKey)
    {
        var client = Host.Server.CreateClient();
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

    public Task<T> ScalarAsync<T>(string sql) => TestDatabase.ScalarAsync<T>(sql.Replace("{schema}", Schema, StringComparison.Ordinal));

    public Task ExecuteAsync(string sql) => TestDatabase.ExecuteAsync(sql.Replace("{schema}", Schema, StringComparison.Ordinal));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await ExecuteAsync("DROP SCHEMA IF EXISTS {schema} CASCADE");
    }
}
