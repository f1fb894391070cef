using Ledger.Domain.Risk;

namespace Ledger.Api.Hosting;

/// <summary>Every named limit of the service, each with a configuration key under <c>Ledger:</c> and a sane default.</summary>
public sealed class LedgerOptions
{
    public string Schema { get; set; } = "ledger";
    public string[] Currencies { get; set; } = ["USD", "EUR", "GBP", "JPY", "CNY", "CHF"];
    public WriteOptions Writes { get; set; } = new();
    public ReadOptions Reads { get; set; } = new();
    public RiskOptions Risk { get; set; } = new();
    public ProjectionOptions Projections { get; set; } = new();
    public RateLimits.Options RateLimits { get; set; } = new();
    public ReconciliationOptions Reconciliation { get; set; } = new();

    public sealed class ReconciliationOptions
    {
        /// <summary>UTC time of day for the daily reconciliation, e.g. "02:00"; unset means off.</summary>
        public TimeOnly? DailyAtUtc { get; set; }
    }

    public sealed class WriteOptions
    {
        public int BatchSizeMax { get; set; } = 1000;
        public int QueueCapacity { get; set; } = 20_000;
    }

    public sealed class ReadOptions
    {
        /// <summary>How long a plain read waits for the view to catch up with the account's last write.</summary>
        public int CatchUpWaitMs { get; set; } = 1000;
        /// <summary>How long a read with <c>minPosition</c> waits before answering 503.</summary>
        public int MinPositionWaitMs { get; set; } = 5000;
        public int PageSizeDefault { get; set; } = 100;
        public int PageSizeMax { get; set; } = 1000;
    }

    public sealed class ProjectionOptions
    {
        public int BatchSize { get; set; } = 1000;
    }

    public sealed class RiskOptions
    {
        public Dictionary<string, long> MaxTransferMinor { get; set; } = [];
        public Dictionary<string, long> MaxDailyDebitMinor { get; set; } = [];
        public Guid[] BlockedAccountIds { get; set; } = [];

        public RiskLimits ToLimits() => new(
            new Dictionary<string, long>(MaxTransferMinor, StringComparer.Ordinal),
            new Dictionary<string, long>(MaxDailyDebitMinor, StringComparer.Ordinal),
            BlockedAccountIds.ToHashSet());
    }
}
