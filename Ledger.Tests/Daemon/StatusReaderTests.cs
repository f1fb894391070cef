using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

/// <summary>Alone in its schema, so every event counted as lag is one this test appended.</summary>
public sealed class StatusReaderTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task status_shows_the_lag_before_catching_up_and_none_after()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "status_view");
        var reader = new ProjectionStatusReader(fixture.Store);
        var first = await fixture.AppendAsync(2, DaemonFixture.T0);
        var second = await fixture.AppendAsync(1, DaemonFixture.T0.AddSeconds(3));
        var now = DaemonFixture.T0.AddSeconds(5);

        var before = (await reader.ReadAsync([projection.Name], now, CancellationToken.None)).Single();
        before.ShouldBe(new ProjectionStatus(projection.Name, LogPosition.Start, second[0].Position, 3, 5000, ProjectionStatuses.Stopped, null, null));

        await using var daemon = fixture.Daemon(new ProjectionDaemonOptions(), output, projection);
        await daemon.StartAsync(CancellationToken.None);
        await fixture.WaitForHeadAsync(projection.Name);

        var after = (await reader.ReadAsync([projection.Name], now, CancellationToken.None)).Single();
        after.ShouldBe(new ProjectionStatus(projection.Name, second[0].Position, second[0].Position, 0, 0, ProjectionStatuses.Running, null, null));
        first[1].Position.ShouldBeLessThan(after.Position);
    }
}
