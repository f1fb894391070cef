using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Ledger.Api.Observability;

/// <summary>
/// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter on a meter provider of its own, so the page
/// keeps the series and names it has always had whatever the OTLP side collects. The exporter's own
/// naming would append <c>_milliseconds</c> and an <c>otel_scope_name</c> label; a view names each
/// stream the way this page always did (<c>_ms</c>, <c>_seconds</c>, <c>_total</c> on counters) and the
/// exporter adds no suffix of its own.
/// </summary>
public sealed class PrometheusMetrics(MeterProvider provider) : IDisposable
{
    /// <summary>The meters the page shows: the ledger's own and ASP.NET Core's hosting meter.</summary>
    private static readonly string[] Meters = [LedgerTelemetry.SourceName, "Microsoft.AspNetCore.Hosting"];

    /// <summary>The histograms' buckets, millisecond-friendly steps, as the page always had them.</summary>
    private static readonly double[] Bounds = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    public MeterProvider Provider { get; } = provider;

    public static PrometheusMetrics Create() => new(Sdk.CreateMeterProviderBuilder()
        .AddMeter(Meters)
        .AddView(Stream)
        .AddPrometheusExporter(o =>
        {
            // Every scrape sees the latest values (the exporter caches for 300 ms by default).
            o.ScrapeResponseCacheDurationMilliseconds = 0;
            o.ScopeInfoEnabled = false;
            o.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithoutSuffixes;
        })
        .Build());

    public void Dispose() => Provider.Dispose();

    private static MetricStreamConfiguration Stream(Instrument instrument)
    {
        var name = instrument.Name + instrument.Unit switch { "ms" => "_ms", "s" => "_seconds", _ => "" };
        if (instrument is Counter<long> or Counter<double>) name += "_total";
        return instrument is Histogram<long> or Histogram<double>
            ? new ExplicitBucketHistogramConfiguration { Name = name, Boundaries = Bounds }
            : new MetricStreamConfiguration { Name = name };
    }
}
