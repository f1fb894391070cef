using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Api.Observability;

/// <summary>
/// Traces and metrics to an OpenTelemetry collector over OTLP, only when OTEL_EXPORTER_OTLP_ENDPOINT is
/// set: HTTP requests (ASP.NET Core's activity source), Npgsql, the write pipeline and projection batches.
/// Without the instrumentation packages, providers subscribe to the sources by name.
/// </summary>
public sealed class Telemetry : IDisposable
{
    private static readonly string[] Sources = ["Microsoft.AspNetCore", "Npgsql", LedgerTelemetry.SourceName, "Marten"];
    private static readonly string[] MeterNames = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Npgsql", LedgerTelemetry.SourceName];

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;

    public Telemetry(IConfiguration configuration)
    {
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return;
        var uri = new Uri(endpoint);
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(Sources)
            .AddOtlpExporter(o => { o.Endpoint = uri; o.Protocol = OtlpExportProtocol.Grpc; })
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MeterNames)
            .AddOtlpExporter(o => { o.Endpoint = uri; o.Protocol = OtlpExportProtocol.Grpc; })
            .Build();
    }

    public bool Exporting => _tracing is not null;

    public void Dispose()
    {
        _tracing?.Dispose();
        _metrics?.Dispose();
    }
}
