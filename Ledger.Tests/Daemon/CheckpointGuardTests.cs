using Ledger.EventStore.Daemon;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

/// <summary>Alone in its schema, so the view can be compared with exactly the events appended here.</summary>
public sealed class CheckpointGuardTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task a_batch_whose_checkpoint_was_moved_meanwhile_is_rolled_back_and_the_daemon_resumes_from_the_moved_checkpoint()
    {
        var events = await fixture.AppendAsync(5);
        var projection = await RecordingProjection.CreateAsync(fixture, "guarded");
        var interfered = false;
        // Plays a second runner that, against all locks, committed the first two events while our batch was open.
        projection.AfterApply = async _ =>
        {
            if (interfered) return;
            interfered = true;
            await using var move = fixture.Database.DataSource.CreateCommand(
                $"UPDATE {fixture.Schema}.event_progression SET tx_id = $1, seq = $2 WHERE name = 'guarded'");
            move.Parameters.Add(new NpgsqlParameter { Value = events[1].TransactionId });
            move.Parameters.Add(new NpgsqlParameter { Value = events[1].Sequence });
            (await move.ExecuteNonQueryAsync()).ShouldBe(1);
        };
        await using var daemon = fixture.Daemon(new ProjectionDaemonOptions(), output, projection);
        await daemon.StartAsync(CancellationToken.None);

        await fixture.WaitForHeadAsync(projection.Name);

        interfered.ShouldBeTrue();
        projection.Calls.ShouldBe(2);
        // Our first batch (all five) rolled back; the retry started where the "other runner" left off.
        (await fixture.ViewIdsAsync(projection.Table)).ShouldBe(events.Skip(2).Select(e => e.EventId), ignoreOrder: true);
    }
}
