using Ledger.EventStore.Serialization;

namespace Ledger.EventStore.Appending;

/// <summary>An event about to be appended; its id makes a retried append detectable. Metadata falls back to the append's.</summary>
public sealed record EventToAppend(Guid EventId, object Data, EventMetadata? Metadata = null);

/// <summary>Events for one stream with the version the writer believes the stream is at.</summary>
public sealed record StreamAppend(Guid StreamId, string StreamType, ExpectedVersion Expected, IReadOnlyList<EventToAppend> Events)
{
    public static StreamAppend Of(Guid streamId, string streamType, ExpectedVersion expected, params object[] events) =>
        new(streamId, streamType, expected, events.Select(e => new EventToAppend(Guid.NewGuid(), e)).ToList());
}

/// <summary>When an append happens and, by default, who asks for it; the store never reads the clock itself.</summary>
public sealed record AppendContext(DateTimeOffset Timestamp, EventMetadata Metadata);
