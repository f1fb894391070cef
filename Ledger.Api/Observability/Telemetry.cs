using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Api.Observability;

/// <summary>
/// The OpenTelemetry SDK, hosted with the app (<c>OpenTelemetry.Extensions.Hosting</c>) when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set: traces and metrics over OTLP, with the ASP.NET Core, HttpClient,
/// runtime and Npgsql instrumentations. <c>GET /metrics</c> is served either way (<see cref="PrometheusMetrics"/>).
/// </summary>
public static class Telemetry
{
    /// <summary>
    /// Sources and meters we subscribe to by name: ours, and the ones Marten (events, daemon) and Wolverine publish.
    /// </summary>
    private static readonly string[] Sources = [LedgerTelemetry.SourceName, "Marten", "Wolverine"];

    public static void AddLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddSingleton(_ => PrometheusMetrics.Create());
        // Without a collector there is nobody to export to: /metrics has its own provider (PrometheusMetrics).
        if (string.IsNullOrWhiteSpace(endpoint)) return;
        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(Sources)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddOtlpExporter(o => Otlp(o, endpoint)))
            .WithTracing(tracing => tracing
                .AddSource(Sources)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => Otlp(o, endpoint)));
    }

    private static void Otlp(OtlpExporterOptions options, string endpoint)
    {
        options.Endpoint = new Uri(endpoint);
        options.Protocol = OtlpExportProtocol.Grpc;
    }
}
