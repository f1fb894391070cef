namespace Ledger.Api.Observability;

/// <summary>
/// The last 15 minutes of the write path and the projections, one bucket per second, for the console's
/// charts (<c>GET /admin/stats</c>). A ring of <see cref="SecondsMax"/> buckets: memory is fixed, an old
/// second is overwritten when its slot comes round again. Latency is kept as a histogram per second
/// (bins <see cref="BinGrowth"/> apart, so a percentile is within 10% of the true value) instead of the
/// samples, which keeps a busy second as small as an idle one. Counts are per instance, like /metrics.
/// </summary>
public sealed class RecentStats(TimeProvider clock)
{
    public const int SecondsMax = 900;
    private const int BinCount = 160;
    private const double BinGrowth = 1.1;
    private const double FirstBinMs = 0.05;

    private sealed class Bucket
    {
        public long Second = long.MinValue;
        public long Committed;
        public readonly Dictionary<string, long> Rejected = [];
        public readonly int[] LatencyBins = new int[BinCount];
        public long LatencyCount;
        public readonly Dictionary<string, long> LagMs = [];

        public void Reset(long second)
        {
            Second = second;
            Committed = 0;
            Rejected.Clear();
            Array.Clear(LatencyBins);
            LatencyCount = 0;
            LagMs.Clear();
        }
    }

    private readonly Bucket[] _ring = Enumerable.Range(0, SecondsMax).Select(_ => new Bucket()).ToArray();
    private readonly Lock _lock = new();

    public void TransferCommitted() => Record(b => b.Committed++);

    public void TransferRejected(string code) => Record(b => b.Rejected[code] = b.Rejected.GetValueOrDefault(code) + 1);

    public void WriteLatency(double ms) => Record(b =>
    {
        b.LatencyBins[Bin(ms)]++;
        b.LatencyCount++;
    });

    public void ProjectionLag(string projection, long lagMs) => Record(b => b.LagMs[projection] = lagMs);

    /// <summary>The last <see cref="SecondsMax"/> whole seconds up to now, oldest first; a second with no writes counts zero.</summary>
    public StatsResponse Snapshot()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var first = now - SecondsMax + 1;
        var committed = new long[SecondsMax];
        var p50 = new double?[SecondsMax];
        var p99 = new double?[SecondsMax];
        var rejected = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        var lag = new SortedDictionary<string, long?[]>(StringComparer.Ordinal);
        lock (_lock)
        {
            for (var i = 0; i < SecondsMax; i++)
            {
                var bucket = _ring[Slot(first + i)];
                if (bucket.Second != first + i) continue;
                committed[i] = bucket.Committed;
                foreach (var (code, count) in bucket.Rejected) Series(rejected, code, () => new long[SecondsMax])[i] = count;
                foreach (var (name, ms) in bucket.LagMs) Series(lag, name, () => new long?[SecondsMax])[i] = ms;
                if (bucket.LatencyCount == 0) continue;
                p50[i] = Percentile(bucket, 0.50);
                p99[i] = Percentile(bucket, 0.99);
            }
        }
        return new StatsResponse(DateTimeOffset.FromUnixTimeSeconds(first), 1, committed, rejected, p50, p99, lag);
    }

    private void Record(Action<Bucket> change)
    {
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            var bucket = _ring[Slot(second)];
            if (bucket.Second != second) bucket.Reset(second);
            change(bucket);
        }
    }

    private static int Slot(long second) => (int)(((second % SecondsMax) + SecondsMax) % SecondsMax);

    private static T Series<T>(SortedDictionary<string, T> series, string name, Func<T> create)
    {
        if (!series.TryGetValue(name, out var values)) series[name] = values = create();
        return values;
    }

    private static int Bin(double ms) =>
        ms <= FirstBinMs ? 0 : Math.Min(BinCount - 1, 1 + (int)Math.Floor(Math.Log(ms / FirstBinMs, BinGrowth)));

    /// <summary>The upper edge of the bin holding the rank; never below the true value, at most 10% above it.</summary>
    private static double Percentile(Bucket bucket, double quantile)
    {
        var rank = (long)Math.Ceiling(quantile * bucket.LatencyCount);
        long seen = 0;
        for (var bin = 0; bin < BinCount; bin++)
        {
            seen += bucket.LatencyBins[bin];
            if (seen >= rank) return Math.Round(FirstBinMs * Math.Pow(BinGrowth, bin), 3);
        }
        return Math.Round(FirstBinMs * Math.Pow(BinGrowth, BinCount - 1), 3);
    }
}

/// <summary>
/// Per-second series, oldest first, all of one length: index <c>i</c> is the second starting at
/// <c>from + i * intervalSeconds</c>. Latencies are null for a second without writes, lags for a second
/// without a sample (the lag is sampled every 2 s).
/// </summary>
public sealed record StatsResponse(
    DateTimeOffset From,
    int IntervalSeconds,
    long[] Committed,
    SortedDictionary<string, long[]> RejectedByCode,
    double?[] WriteLatencyP50Ms,
    double?[] WriteLatencyP99Ms,
    SortedDictionary<string, long?[]> ProjectionLagMs);
