using Ledger.EventStore.Daemon;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class GapSafetyTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task concurrent_slow_and_rolled_back_writers_leave_every_committed_event_in_the_view_exactly_once()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "gap_view");
        // Small batches so the daemon reads many times while writers are still in flight.
        await using var daemon = fixture.Daemon(new ProjectionDaemonOptions { BatchSize = 10 }, output, projection);
        await daemon.StartAsync(CancellationToken.None);

        for (var round = 1; round <= 5; round++)
        {
            var outcome = await ConcurrentWriters.RunAsync(fixture, writers: 16, appendsEach: 10, seed: round);
            outcome.RolledBack.ShouldBeGreaterThan(0);
            outcome.Slow.ShouldBeGreaterThan(0);

            await fixture.WaitForHeadAsync(projection.Name);

            // The view's primary key already rules out a second delivery; here nothing may be missing or extra.
            var view = await fixture.ViewIdsAsync(projection.Table);
            var committed = await fixture.EventIdsAsync();
            committed.Except(view).ShouldBeEmpty($"round {round}: committed events the projection skipped");
            view.Except(committed).ShouldBeEmpty($"round {round}: projected events that never committed");
            view.Count.ShouldBe(committed.Count);
        }

        daemon.IsRunning.ShouldBeTrue();
        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync([projection.Name], DateTimeOffset.UtcNow, CancellationToken.None)).Single();
        status.Status.ShouldBe(ProjectionStatuses.Running);
        status.LagEvents.ShouldBe(0);
    }
}
