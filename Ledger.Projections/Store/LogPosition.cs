using System.Globalization;

namespace Ledger.Projections.Store;

/// <summary>
/// A point in the global log: Marten's event sequence number. Writers are serialized by the append lock,
/// so sequence order is commit order and a reader that has passed a position has seen every event
/// committed before it. On the wire it is opaque (the decimal number).
/// </summary>
public readonly record struct LogPosition(long Sequence) : IComparable<LogPosition>
{
    public static LogPosition Start { get; } = new(0);

    public int CompareTo(LogPosition other) => Sequence.CompareTo(other.Sequence);

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    public override string ToString() => Sequence.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out LogPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(text)
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return false;
        position = new LogPosition(sequence);
        return true;
    }
}
