using System.Text.Json.Serialization;
using Ledger.EventStore.Serialization;

namespace Ledger.Tests.EventStore;

public sealed record ThingHappened(Guid ThingId, int Number);

public sealed record ThingRenamed(Guid ThingId, string Name);

[JsonSerializable(typeof(ThingHappened))]
[JsonSerializable(typeof(ThingRenamed))]
internal sealed partial class TestEventsJsonContext : JsonSerializerContext;

internal static class TestEventTypes
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register("test.thing_happened.v1", TestEventsJsonContext.Default.ThingHappened)
        .Register("test.thing_renamed.v1", TestEventsJsonContext.Default.ThingRenamed);
}
