using System.Numerics;

namespace Ledger.Bench.Load;

/// <summary>
/// A log-linear latency histogram in microseconds, in the spirit of HdrHistogram: values below 2048 µs
/// have a bucket each; above, every power of two is cut into 1024 buckets, so a reported percentile is
/// at most 0.1 % above the true value (we report a bucket's upper bound and never more than the max).
/// Recording is lock-free (Interlocked), so many workers can share one histogram.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 11;
    private const int Linear = 1 << SubBits; // 2048 exact buckets
    private const int Half = Linear / 2;     // 1024 buckets per power of two above that
    private const int Buckets = Linear + (64 - SubBits) * Half;

    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public void RecordTicks(long stopwatchTicks) =>
        Record(stopwatchTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        long seen;
        while ((seen = Volatile.Read(ref _max)) < micros && Interlocked.CompareExchange(ref _max, micros, seen) != seen)
        {
        }
    }

    public double MaxMs => Volatile.Read(ref _max) / 1000.0;

    public double MeanMs => Count == 0 ? 0 : Volatile.Read(ref _sum) / 1000.0 / Count;

    /// <summary>Nearest-rank percentile (p in 0..100), in milliseconds; 0 when nothing was recorded.</summary>
    public double PercentileMs(double p)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Volatile.Read(ref _max)) / 1000.0;
            }
        }

        return MaxMs;
    }

    private static int Index(long v)
    {
        if (v < Linear)
        {
            return (int)v;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var shift = msb - (SubBits - 1);   // >= 1; v >> shift lies in [Half, Linear)
        var sub = (int)(v >> shift);
        return Linear + ((shift - 1) * Half) + (sub - Half);
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var relative = index - Linear;
        var shift = (relative / Half) + 1;
        long sub = (relative % Half) + Half;
        return ((sub + 1) << shift) - 1;
    }
}
