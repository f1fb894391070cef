using System.Globalization;

namespace Ledger.EventStore;

/// <summary>
/// A point in the global log: the writing transaction id, then the event sequence.
/// Events are ordered by (transaction, sequence) because a sequence number is taken at insert,
/// not at commit; ordering by transaction lets a reader never pass an event that may still commit.
/// </summary>
public readonly record struct LogPosition(long TransactionId, long Sequence) : IComparable<LogPosition>
{
    public static LogPosition Start { get; } = new(0, 0);

    public int CompareTo(LogPosition other)
    {
        var byTransaction = TransactionId.CompareTo(other.TransactionId);
        return byTransaction != 0 ? byTransaction : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TransactionId}-{Sequence}");

    public static bool TryParse(string? text, out LogPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(text)) return false;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0) return false;
        if (!long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)) return false;
        if (!long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return false;
        position = new LogPosition(tx, seq);
        return true;
    }
}
