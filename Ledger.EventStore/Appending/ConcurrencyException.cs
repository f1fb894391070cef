namespace Ledger.EventStore.Appending;

/// <summary>A stream was not at the expected version; the append wrote nothing.</summary>
public sealed class ConcurrencyException(Guid streamId, ExpectedVersion expected, string detail)
    : Exception($"Stream {streamId} was not at the expected version ({expected}): {detail}. Nothing was written.")
{
    public Guid StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
}
