using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.Api.Writes;
using Ledger.Projections;
using Ledger.Projections.Store;

namespace Ledger.Api.Observability;

/// <summary>
/// Gauges that need state: the write queue depth and each projection's lag. Lag is sampled in the
/// background every few seconds, because an observable callback must not query the database.
/// </summary>
public sealed partial class LedgerGauges : BackgroundService
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, ProjectionStatus> _latest = new();
    private readonly ProjectionProgress _reader;
    private readonly TimeProvider _clock;
    private readonly RecentStats _stats;
    private readonly ILogger<LedgerGauges> _logger;

    public LedgerGauges(WritePipeline pipeline, ProjectionProgress reader, TimeProvider clock, RecentStats stats, ILogger<LedgerGauges> logger)
    {
        _reader = reader;
        _clock = clock;
        _stats = stats;
        _logger = logger;
        LedgerTelemetry.Meter.CreateObservableGauge("ledger.write.queue_depth", () => pipeline.QueueDepth,
            description: "Writes waiting for the committer.");
        LedgerTelemetry.Meter.CreateObservableGauge("ledger.projection.lag", () => _latest.Values.Select(s =>
            new Measurement<long>(s.LagMs, new KeyValuePair<string, object?>("projection", s.Name))), unit: "ms",
            description: "How long the oldest unprocessed event has waited, per projection.");
        LedgerTelemetry.Meter.CreateObservableGauge("ledger.projection.lag_events", () => _latest.Values.Select(s =>
            new Measurement<long>(s.LagEvents, new KeyValuePair<string, object?>("projection", s.Name))),
            description: "Events not yet applied, per projection.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleInterval, _clock);
        do
        {
            try
            {
                foreach (var status in await _reader.ReadAsync([ProjectionNames.Balances, ProjectionNames.Transactions], _clock.GetUtcNow(), stoppingToken))
                {
                    _latest[status.Name] = status;
                    _stats.ProjectionLag(status.Name, status.LagMs);
                }
            }
            catch (Exception e) when (Hosting.DatabaseFaults.IsDatabase(e))
            {
                LogSampleFailed(_logger, e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Projection lag sample failed: {Error}")]
    private static partial void LogSampleFailed(ILogger logger, string error);
}
