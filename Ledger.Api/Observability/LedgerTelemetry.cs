using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ledger.Api.Observability;

/// <summary>
/// The ledger's own traces and metrics. Instruments are static so the write path records them without
/// a lookup; exporters (OTLP, /metrics) subscribe by the names below.
/// </summary>
public static class LedgerTelemetry
{
    public const string SourceName = "Ledger";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(SourceName);

    public static readonly Counter<long> TransfersCommitted =
        Meter.CreateCounter<long>("ledger.transfers.committed", description: "Transfers (incl. deposits and withdrawals) committed.");

    public static readonly Counter<long> TransfersRejected =
        Meter.CreateCounter<long>("ledger.transfers.rejected", description: "Transfers rejected, by contract code.");

    public static readonly Histogram<double> WriteDurationMs =
        Meter.CreateHistogram<double>("ledger.write.duration", unit: "ms", description: "From a write entering the queue to its answer.");

    public static readonly Histogram<long> BatchSize =
        Meter.CreateHistogram<long>("ledger.write.batch_size", description: "Decisions committed per database transaction.");
}
