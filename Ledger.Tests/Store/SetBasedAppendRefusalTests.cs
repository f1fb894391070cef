using System.Net;
using JasperFx.Events;
using Ledger.Tests.Api.Contract;
using Ledger.Tests.Infrastructure;
using Marten;
using static Ledger.Tests.Store.SetBasedAppends;
using ExistingStreamIdCollisionException = Marten.Exceptions.ExistingStreamIdCollisionException;
using InvalidStreamOperationException = Marten.Exceptions.InvalidStreamOperationException;

namespace Ledger.Tests.Store;

/// <summary>
/// A stream that is not where the set-based append expects it refuses the whole batch with the exception
/// Marten's own append raises for it, and nothing of the batch is written; the write pipeline answers that
/// as it always has (a stream that moved under the writer is a retryable 503). Appends here bypass the write
/// pipeline, so every test works on accounts of its own.
/// </summary>
public sealed class SetBasedAppendRefusalTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private IDocumentStore Store => api.Service<IDocumentStore>();

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task a_stream_not_at_its_expected_version_refuses_the_whole_batch_and_nothing_of_it_is_written(int offset)
    {
        var moved = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(moved, 0, Opened(moved), Credited(moved, 10, 10)));
        var fresh = Guid.CreateVersion7();
        var eventsBefore = await api.EventCountAsync();

        var refused = await Should.ThrowAsync<EventStreamUnexpectedMaxEventIdException>(() => Store.AppendAsync(
            Stream(fresh, 0, Opened(fresh)), Stream(moved, 2 + offset, Credited(moved, 1, 11))));

        refused.Id.ShouldBe(moved);
        refused.Message.ShouldContain($"expected {2 + offset} but was 2");
        await NothingWrittenAsync(eventsBefore, (fresh, 0), (moved, 2));
    }

    [Fact]
    public async Task starting_a_stream_that_exists_refuses_the_batch_as_marten_s_own_start_does()
    {
        var existing = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(existing, 0, Opened(existing)));
        var fresh = Guid.CreateVersion7();
        var eventsBefore = await api.EventCountAsync();

        var refused = await Should.ThrowAsync<ExistingStreamIdCollisionException>(() => Store.AppendAsync(
            Stream(fresh, 0, Opened(fresh)), Stream(existing, 0, Opened(existing))));
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream(existing, Opened(existing));
            await Should.ThrowAsync<ExistingStreamIdCollisionException>(() => session.SaveChangesAsync());
        }

        refused.Id.ShouldBe(existing);
        await NothingWrittenAsync(eventsBefore, (fresh, 0), (existing, 1));
    }

    [Fact]
    public async Task appending_to_an_archived_stream_refuses_the_batch_as_marten_s_own_append_does()
    {
        var archived = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(archived, 0, Opened(archived)));
        await using (var session = Store.LightweightSession())
        {
            session.Events.ArchiveStream(archived);
            await session.SaveChangesAsync();
        }
        var fresh = Guid.CreateVersion7();
        var eventsBefore = await api.EventCountAsync();

        await Should.ThrowAsync<InvalidStreamOperationException>(() => Store.AppendAsync(
            Stream(fresh, 0, Opened(fresh)), Stream(archived, 1, Credited(archived, 1, 1))));
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(archived, Credited(archived, 1, 1));
            await Should.ThrowAsync<InvalidStreamOperationException>(() => session.SaveChangesAsync());
        }

        await NothingWrittenAsync(eventsBefore, (fresh, 0));
        (await api.ScalarAsync<long>($"SELECT version FROM {{schema}}.mt_streams WHERE id = '{archived}'")).ShouldBe(1);
    }

    [Fact]
    public async Task a_stream_moved_behind_the_writer_s_back_fails_its_write_with_503_and_nothing_of_it_is_written()
    {
        var client = api.Client();
        var from = await client.OpenAccountAsync("USD", initialBalance: 100);
        var to = await client.OpenAccountAsync("USD");
        await Store.AppendAsync(Stream(to, 1, Credited(to, 1, 1)));
        var eventsBefore = await api.EventCountAsync();

        (await client.SubmitAsync("/transfers", ContractHttp.Transfer(from, to, 10, "USD")))
            .ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "unavailable");

        await NothingWrittenAsync(eventsBefore, (from, 2), (to, 2));
    }

    private async Task NothingWrittenAsync(long eventsBefore, params (Guid Stream, int Version)[] streams)
    {
        (await api.EventCountAsync()).ShouldBe(eventsBefore);
        foreach (var (stream, version) in streams)
        {
            (await api.StreamAsync(stream)).Count.ShouldBe(version);
            (await api.ScalarAsync<long>($"SELECT coalesce(max(version), 0) FROM {{schema}}.mt_streams WHERE id = '{stream}'")).ShouldBe(version);
        }
    }
}
