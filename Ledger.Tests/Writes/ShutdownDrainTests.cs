using Ledger.Api.Writes;
using Ledger.Domain.Transfers;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Writes;

/// <summary>Stopping the host commits every write that was already queued, and answers each caller.</summary>
public sealed class ShutdownDrainTests : IAsyncLifetime
{
    private readonly LedgerApiFactory _api = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task stopping_the_host_drains_the_write_queue()
    {
        var client = _api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 10_000);
        var b = await client.OpenAccountAsync();
        var pipeline = _api.Service<WritePipeline>();

        var pending = Enumerable.Range(0, 300).Select(_ => pipeline.SubmitAsync(new TransferWrite(Guid.NewGuid(), [1], "test",
            MovementKind.Transfer, new TransferFunds(Guid.NewGuid(), a, b, 1, "USD", null, default), null))).ToList();
        // What the host does on SIGTERM: stop the pipeline's hosted service and wait for it.
        await pipeline.StopAsync(CancellationToken.None);

        var outcomes = await Task.WhenAll(pending);
        outcomes.ShouldAllBe(o => o is Committed);
        (await _api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.account_snapshots WHERE id = '{b}'")).ShouldBe(300);
    }
}
