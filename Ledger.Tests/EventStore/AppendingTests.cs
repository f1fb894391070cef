using Ledger.EventStore;
using Ledger.EventStore.Appending;
using Npgsql;

namespace Ledger.Tests.EventStore;

public sealed class AppendingTests(EventStoreFixture fixture) : IClassFixture<EventStoreFixture>
{
    private Ledger.EventStore.EventStore Store => fixture.Store;

    [Fact]
    public async Task events_appended_to_a_new_stream_read_back_in_order_with_versions()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1), new ThingRenamed(id, "a"))], EventStoreFixture.Context());

        var events = await Store.ReadStreamAsync(id);

        events.Select(e => e.Version).ShouldBe([1L, 2L]);
        events[0].Data.ShouldBe(new ThingHappened(id, 1));
        events[1].Data.ShouldBe(new ThingRenamed(id, "a"));
        events[0].Type.ShouldBe("test.thing_happened.v1");
        events[0].Metadata.Actor.ShouldBe("tester");
        events[1].Position.ShouldBeGreaterThan(events[0].Position);
    }

    [Fact]
    public async Task appending_at_the_expected_version_extends_the_stream()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1))], EventStoreFixture.Context());
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(1), new ThingHappened(id, 2))], EventStoreFixture.Context());
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Any, new ThingHappened(id, 3))], EventStoreFixture.Context());

        (await Store.ReadStreamAsync(id)).Select(e => ((ThingHappened)e.Data).Number).ShouldBe([1, 2, 3]);
    }

    [Fact]
    public async Task any_version_creates_a_missing_stream()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Any, new ThingHappened(id, 1))], EventStoreFixture.Context());
        (await Store.ReadStreamAsync(id)).Single().Version.ShouldBe(1);
    }

    [Fact]
    public async Task cannot_append_with_a_stale_version()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1), new ThingHappened(id, 2))], EventStoreFixture.Context());

        var error = await Should.ThrowAsync<ConcurrencyException>(() =>
            Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(1), new ThingHappened(id, 3))], EventStoreFixture.Context()));

        error.StreamId.ShouldBe(id);
        (await Store.ReadStreamAsync(id)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task cannot_create_a_stream_that_exists()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1))], EventStoreFixture.Context());

        await Should.ThrowAsync<ConcurrencyException>(() =>
            Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 2))], EventStoreFixture.Context()));
    }

    [Fact]
    public async Task a_failing_multi_stream_append_leaves_no_row_in_any_stream()
    {
        var existing = Guid.NewGuid();
        var fresh = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(existing, "thing", ExpectedVersion.NoStream, new ThingHappened(existing, 1))], EventStoreFixture.Context());

        await Should.ThrowAsync<ConcurrencyException>(() => Store.AppendAsync(
        [
            StreamAppend.Of(fresh, "thing", ExpectedVersion.NoStream, new ThingHappened(fresh, 1)),
            StreamAppend.Of(existing, "thing", ExpectedVersion.Exactly(5), new ThingHappened(existing, 2)),
        ], EventStoreFixture.Context()));

        (await Store.ReadStreamAsync(fresh)).ShouldBeEmpty();
        (await Store.ReadStreamAsync(existing)).Count.ShouldBe(1);
        await using var streams = fixture.Database.DataSource.CreateCommand($"SELECT count(*) FROM {fixture.Database.Schema}.streams WHERE id = $1");
        streams.Parameters.Add(new NpgsqlParameter { Value = fresh });
        ((long)(await streams.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task a_multi_stream_append_commits_every_stream_together()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var recorded = await Store.AppendAsync(
        [
            StreamAppend.Of(a, "thing", ExpectedVersion.NoStream, new ThingHappened(a, 1)),
            StreamAppend.Of(b, "thing", ExpectedVersion.NoStream, new ThingHappened(b, 1), new ThingHappened(b, 2)),
        ], EventStoreFixture.Context());

        recorded.Count.ShouldBe(3);
        recorded.Select(e => e.TransactionId).Distinct().Count().ShouldBe(1);
        (await Store.ReadStreamAsync(b)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task concurrent_appends_at_one_version_let_exactly_one_win()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 0))], EventStoreFixture.Context());

        var attempts = Enumerable.Range(1, 16).Select(n => Task.Run(async () =>
        {
            try
            {
                await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(1), new ThingHappened(id, n))], EventStoreFixture.Context());
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        }));
        var outcomes = await Task.WhenAll(attempts);

        outcomes.Count(won => won).ShouldBe(1);
        (await Store.ReadStreamAsync(id)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task reading_a_stream_stops_at_a_version_or_an_instant()
    {
        var id = Guid.NewGuid();
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1))], EventStoreFixture.Context(t0));
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(1), new ThingHappened(id, 2))], EventStoreFixture.Context(t0.AddHours(1)));
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(2), new ThingHappened(id, 3))], EventStoreFixture.Context(t0.AddHours(2)));

        (await Store.ReadStreamAsync(id, toVersion: 2)).Count.ShouldBe(2);
        (await Store.ReadStreamAsync(id, toInstant: t0.AddMinutes(90))).Count.ShouldBe(2);
        (await Store.ReadStreamAsync(id, toInstant: t0.AddMinutes(-1))).ShouldBeEmpty();
    }

    [Fact]
    public async Task the_global_log_reads_forward_from_a_position()
    {
        var id = Guid.NewGuid();
        var first = await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1))], EventStoreFixture.Context());
        await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.Exactly(1), new ThingHappened(id, 2), new ThingHappened(id, 3))], EventStoreFixture.Context());

        // Open transactions of other test classes hold the horizon back for a moment, so poll to a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<RecordedEvent> after;
        while ((after = await Store.ReadCommittedAfterAsync(first[0].Position, 100)).Count(e => e.StreamId == id) < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(10);

        after.Where(e => e.StreamId == id).Select(e => ((ThingHappened)e.Data).Number).ShouldBe([2, 3]);
        after.Select(e => e.Position).ShouldBeInOrder(SortDirection.Ascending);
        (await Store.ReadHeadAsync()).ShouldBeGreaterThanOrEqualTo(after[^1].Position);
    }

    [Fact]
    public async Task the_global_log_does_not_pass_a_transaction_that_is_still_open()
    {
        var head = await Store.ReadHeadAsync();
        var slow = Guid.NewGuid();
        var fast = Guid.NewGuid();
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Store.AppendAsync(connection, tx, [StreamAppend.Of(slow, "thing", ExpectedVersion.NoStream, new ThingHappened(slow, 1))], EventStoreFixture.Context());
        await Store.AppendAsync([StreamAppend.Of(fast, "thing", ExpectedVersion.NoStream, new ThingHappened(fast, 1))], EventStoreFixture.Context());

        (await Store.ReadCommittedAfterAsync(head, 100)).ShouldNotContain(e => e.StreamId == fast || e.StreamId == slow);

        await tx.CommitAsync();
        // Open transactions of other test classes hold the horizon back for a moment, so poll to a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<RecordedEvent> visible;
        while ((visible = await Store.ReadCommittedAfterAsync(head, 100)).Count < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        visible.Select(e => e.StreamId).ShouldBe([slow, fast], ignoreOrder: false);
    }
}
