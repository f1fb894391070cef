using System.Diagnostics;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class DaemonLifecycleTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task a_projection_that_never_ran_reads_as_stopped_at_the_start_of_the_log()
    {
        await fixture.AppendAsync(1);
        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync(["never_ran"], DateTimeOffset.UtcNow, CancellationToken.None)).Single();

        status.Status.ShouldBe(ProjectionStatuses.Stopped);
        status.Position.ShouldBe(LogPosition.Start);
        status.LagEvents.ShouldBeGreaterThan(0);
        (await fixture.Waiter.ReadCheckpointAsync("never_ran", CancellationToken.None)).ShouldBe(LogPosition.Start);
    }

    [Fact]
    public async Task stopping_the_daemon_marks_its_projections_stopped_and_frees_them_for_another_daemon()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "stoppable");
        var daemon = fixture.Daemon(new ProjectionDaemonOptions(), output, projection);
        await daemon.StartAsync(CancellationToken.None);
        await fixture.AppendAsync(2);
        await fixture.WaitForHeadAsync(projection.Name);
        daemon.IsRunning.ShouldBeTrue();
        daemon.LedProjections.ShouldBe([projection.Name]);

        await daemon.DisposeAsync();

        daemon.IsRunning.ShouldBeFalse();
        daemon.LedProjections.ShouldBeEmpty();
        (await new ProjectionStatusReader(fixture.Store).ReadAsync([projection.Name], DateTimeOffset.UtcNow, CancellationToken.None))
            .Single().Status.ShouldBe(ProjectionStatuses.Stopped);
        await using var next = fixture.Daemon(new ProjectionDaemonOptions(), output, projection);
        await next.StartAsync(CancellationToken.None);
        await fixture.AppendAsync(1);
        await fixture.WaitForHeadAsync(projection.Name);
        (await fixture.ViewIdsAsync(projection.Table)).ShouldBe(await fixture.EventIdsAsync());
    }

    [Fact]
    public async Task waiting_for_a_position_the_projection_never_reaches_returns_false_at_the_timeout()
    {
        var clock = Stopwatch.StartNew();
        var reached = await fixture.Waiter.WaitForAsync("nobody_runs_this", new LogPosition(long.MaxValue, 1), TimeSpan.FromMilliseconds(400), CancellationToken.None);

        reached.ShouldBeFalse();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(400));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void two_projections_with_one_name_are_refused_because_the_name_keys_checkpoint_and_lock()
    {
        var a = new RecordingProjection(fixture.Schema, "same");
        var b = new RecordingProjection(fixture.Schema, "same");

        Should.Throw<ArgumentException>(() => new ProjectionDaemon(fixture.Store, [a, b], new ProjectionDaemonOptions(), NullLogger<ProjectionDaemon>.Instance));
    }
}
