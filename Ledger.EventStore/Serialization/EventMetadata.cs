using System.Text.Json.Serialization;

namespace Ledger.EventStore.Serialization;

/// <summary>Who and what caused an event; stored beside it as jsonb.</summary>
public sealed record EventMetadata(string? CorrelationId, string? CausationId, string? Actor)
{
    public static EventMetadata Empty { get; } = new(null, null, null);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class EventStoreJsonContext : JsonSerializerContext;
