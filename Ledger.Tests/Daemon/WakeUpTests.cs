using System.Diagnostics;
using Ledger.EventStore.Daemon;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class WakeUpTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task a_new_append_is_projected_on_its_notification_long_before_the_fallback_poll()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "woken_view");
        // With a 30 s poll, only the LISTEN wake-up can beat the 10 s deadline below.
        await using var daemon = fixture.Daemon(new ProjectionDaemonOptions { PollInterval = TimeSpan.FromSeconds(30) }, output, projection);
        await daemon.StartAsync(CancellationToken.None);
        await fixture.AppendAsync(1);
        await fixture.WaitForHeadAsync(projection.Name);

        for (var i = 0; i < 3; i++)
        {
            var appended = await fixture.AppendAsync(1);
            var clock = Stopwatch.StartNew();
            (await fixture.Waiter.WaitForAsync(projection.Name, appended[0].Position, TimeSpan.FromSeconds(10), CancellationToken.None))
                .ShouldBeTrue($"append {i} was not projected within 10 s");
            output.WriteLine($"append {i} projected after {clock.ElapsedMilliseconds} ms");
        }
        (await fixture.ViewIdsAsync(projection.Table)).Count.ShouldBe(4);
    }
}
