namespace Ledger.EventStore.Appending;

/// <summary>What an append expects of a stream: that it does not exist, that it is at an exact version, or anything.</summary>
public readonly record struct ExpectedVersion
{
    private const long NoStreamValue = -1;
    private const long AnyValue = -2;

    private ExpectedVersion(long value) => Value = value;

    public long Value { get; }

    public static ExpectedVersion NoStream { get; } = new(NoStreamValue);
    public static ExpectedVersion Any { get; } = new(AnyValue);

    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return new ExpectedVersion(version);
    }

    public bool IsNoStream => Value == NoStreamValue;
    public bool IsAny => Value == AnyValue;
    public bool IsExact => Value >= 1;

    public override string ToString() => IsNoStream ? "no stream" : IsAny ? "any" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
