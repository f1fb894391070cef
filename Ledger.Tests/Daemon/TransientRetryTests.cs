using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

public sealed class TransientRetryTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    private sealed class FlakyException() : Exception("flaky dependency");

    private static readonly ProjectionDaemonOptions Options = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        IsTransient = e => e is FlakyException || ProjectionDaemonOptions.IsTransientByDefault(e),
    };

    [Fact]
    public async Task a_projection_failing_transiently_twice_is_retried_and_applies_every_event_once()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "flaky_twice");
        projection.BeforeApply = (_, _, _) => projection.Calls <= 2 ? throw new FlakyException() : Task.CompletedTask;
        await AssertRecoversAsync(projection, Options);
    }

    [Fact]
    public async Task a_serialization_failure_from_postgres_counts_as_transient_by_default()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "serialization_twice");
        projection.BeforeApply = async (_, connection, transaction) =>
        {
            if (projection.Calls > 2) return;
            await using var fail = new NpgsqlCommand(
                "DO $$ BEGIN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END $$", connection, transaction);
            await fail.ExecuteNonQueryAsync();
        };
        await AssertRecoversAsync(projection, new ProjectionDaemonOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
    }

    [Fact]
    public async Task a_projection_that_keeps_failing_transiently_is_faulted_once_its_retries_are_spent()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "flaky_forever");
        projection.BeforeApply = (_, _, _) => throw new FlakyException();
        await fixture.AppendAsync(2);
        await using var daemon = fixture.Daemon(Options with { TransientRetriesMax = 2 }, output, projection);
        await daemon.StartAsync(CancellationToken.None);

        (await fixture.Waiter.WaitForStatusAsync(projection.Name, ProjectionStatuses.Faulted, DaemonFixture.Deadline, CancellationToken.None)).ShouldBeTrue();

        projection.Calls.ShouldBe(3); // the first try and two retries
        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync([projection.Name], DateTimeOffset.UtcNow, CancellationToken.None)).Single();
        status.LastError.ShouldBe($"{typeof(FlakyException).FullName}: flaky dependency");
        status.Position.ShouldBe(LogPosition.Start);
        // The first event after the checkpoint is to blame (other tests of this class may have appended earlier).
        status.ErrorPosition.ShouldBe((await fixture.Store.ReadCommittedAfterAsync(LogPosition.Start, 1))[0].Position);
    }

    private async Task AssertRecoversAsync(RecordingProjection projection, ProjectionDaemonOptions options)
    {
        var events = await fixture.AppendAsync(4);
        await using var daemon = fixture.Daemon(options, output, projection);
        await daemon.StartAsync(CancellationToken.None);
        await fixture.WaitForHeadAsync(projection.Name);

        projection.Calls.ShouldBeGreaterThanOrEqualTo(3);
        (await fixture.ViewIdsAsync(projection.Table)).ShouldBe(await fixture.EventIdsAsync());
        (await fixture.ViewIdsAsync(projection.Table)).ShouldContain(events[0].EventId);
        var status = (await new ProjectionStatusReader(fixture.Store).ReadAsync([projection.Name], DateTimeOffset.UtcNow, CancellationToken.None)).Single();
        status.Status.ShouldBe(ProjectionStatuses.Running);
        status.LastError.ShouldBeNull();
    }
}
