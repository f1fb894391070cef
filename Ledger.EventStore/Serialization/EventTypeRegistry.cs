using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ledger.EventStore.Serialization;

/// <summary>
/// Maps stored, versioned event names to CLR types and their JSON contracts. CLR type names never
/// reach the database, so types can be renamed or moved without rewriting history.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, JsonTypeInfo> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = [];

    public EventTypeRegistry Register<T>(string name, JsonTypeInfo<T> contract)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_byName.TryAdd(name, contract))
            throw new InvalidOperationException($"Event name '{name}' is registered twice.");
        if (!_byType.TryAdd(typeof(T), name))
            throw new InvalidOperationException($"Event type {typeof(T).Name} is registered twice.");
        return this;
    }

    public string NameOf(object @event) =>
        _byType.TryGetValue(@event.GetType(), out var name)
            ? name
            : throw new InvalidOperationException($"Event type {@event.GetType().Name} is not registered.");

    public string Serialize(object @event) =>
        JsonSerializer.Serialize(@event, _byName[NameOf(@event)]);

    public object Deserialize(string name, string json) =>
        _byName.TryGetValue(name, out var contract)
            ? JsonSerializer.Deserialize(json, contract)
              ?? throw new InvalidOperationException($"Event '{name}' deserialized to null.")
            : throw new InvalidOperationException($"Event name '{name}' is not registered; refusing to guess its type.");
}
