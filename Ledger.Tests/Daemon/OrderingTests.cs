using Ledger.EventStore.Daemon;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class OrderingTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task a_projection_receives_events_in_strictly_increasing_log_order_across_batches()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "ordered_view");
        await using var daemon = fixture.Daemon(new ProjectionDaemonOptions { BatchSize = 7 }, output, projection);
        await daemon.StartAsync(CancellationToken.None);

        await ConcurrentWriters.RunAsync(fixture, writers: 8, appendsEach: 12, seed: 42);
        await fixture.WaitForHeadAsync(projection.Name);

        var received = projection.Received.ToList();
        received.Count.ShouldBe((await fixture.EventIdsAsync()).Count);
        projection.Calls.ShouldBeGreaterThan(1);
        for (var i = 1; i < received.Count; i++)
            received[i].ShouldBeGreaterThan(received[i - 1], $"event {i} came out of (transaction, sequence) order");
    }
}
