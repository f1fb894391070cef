using Ledger.EventStore.Serialization;

namespace Ledger.EventStore;

/// <summary>An event as committed to the log, with its place in the stream and in the global log.</summary>
public sealed record RecordedEvent(
    long Sequence,
    long TransactionId,
    Guid EventId,
    Guid StreamId,
    long Version,
    string Type,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset Timestamp)
{
    public LogPosition Position => new(TransactionId, Sequence);
}
