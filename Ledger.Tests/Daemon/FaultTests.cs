using Ledger.EventStore.Daemon;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class FaultTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    private static readonly ProjectionDaemonOptions Options = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task a_projection_that_throws_on_one_event_is_faulted_there_after_applying_the_events_before_it()
    {
        // One append, so all twenty reach the projection in one batch and the failing one must be isolated.
        var events = await fixture.AppendAsync(20);
        var poisoned = await RecordingProjection.CreateAsync(fixture, "poisoned");
        poisoned.BeforeApply = (batch, _, _) => batch.Any(e => e.EventId == events[12].EventId)
            ? throw new InvalidOperationException("cannot take 13") : Task.CompletedTask;
        var healthy = await RecordingProjection.CreateAsync(fixture, "healthy");
        await using var daemon = fixture.Daemon(Options, output, poisoned, healthy);
        var before = await fixture.EventIdsAsync(); // other tests of this class share the schema
        await daemon.StartAsync(CancellationToken.None);
        (await fixture.Waiter.WaitForStatusAsync(poisoned.Name, ProjectionStatuses.Faulted, DaemonFixture.Deadline, CancellationToken.None)).ShouldBeTrue();
        var later = await fixture.AppendAsync(3);
        await fixture.WaitForHeadAsync(healthy.Name);

        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync([poisoned.Name], DateTimeOffset.UtcNow, CancellationToken.None)).Single();
        status.Status.ShouldBe(ProjectionStatuses.Faulted);
        status.ErrorPosition.ShouldBe(events[12].Position);
        status.LastError.ShouldBe("System.InvalidOperationException: cannot take 13");
        status.Position.ShouldBe(events[11].Position);
        (await fixture.ViewIdsAsync(poisoned.Table)).ShouldBe(before.Except(events.Skip(12).Select(e => e.EventId)), ignoreOrder: true);
        (await fixture.ViewIdsAsync(healthy.Table)).ShouldBe(before.Concat(later.Select(e => e.EventId)), ignoreOrder: true);
        daemon.LedProjections.ShouldBe([healthy.Name]);
        daemon.IsRunning.ShouldBeTrue();
    }

    [Fact]
    public async Task restarting_the_daemon_retries_a_faulted_projection_from_the_failing_event()
    {
        var events = await fixture.AppendAsync(15);
        var projection = await RecordingProjection.CreateAsync(fixture, "fixed_later");
        var broken = true;
        projection.BeforeApply = (batch, _, _) => broken && batch.Any(e => e.EventId == events[12].EventId)
            ? throw new InvalidOperationException("not yet") : Task.CompletedTask;
        await using (var daemon = fixture.Daemon(Options, output, projection))
        {
            await daemon.StartAsync(CancellationToken.None);
            (await fixture.Waiter.WaitForStatusAsync(projection.Name, ProjectionStatuses.Faulted, DaemonFixture.Deadline, CancellationToken.None)).ShouldBeTrue();
        }
        (await fixture.Waiter.ReadCheckpointAsync(projection.Name, CancellationToken.None)).ShouldBe(events[11].Position);

        broken = false; // the operator deployed a fix; the restart is the retry
        await using var restarted = fixture.Daemon(Options, output, projection);
        await restarted.StartAsync(CancellationToken.None);
        await fixture.WaitForHeadAsync(projection.Name);

        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync([projection.Name], DateTimeOffset.UtcNow, CancellationToken.None)).Single();
        status.Status.ShouldBe(ProjectionStatuses.Running);
        status.LastError.ShouldBeNull();
        status.ErrorPosition.ShouldBeNull();
        (await fixture.ViewIdsAsync(projection.Table)).ShouldBe(await fixture.EventIdsAsync());
    }
}
