using System.Diagnostics;
using System.Net;
using Ledger.Tests.Infrastructure;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Tests.Edge;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, the host runs the OpenTelemetry SDK (OpenTelemetry.Extensions.Hosting).
/// The endpoint is a closed loopback port: exporting fails quietly in the background, serving goes on.
/// </summary>
public sealed class TelemetryExportTests(TelemetryExportTests.ExportingLedger api) : IClassFixture<TelemetryExportTests.ExportingLedger>
{
    public sealed class ExportingLedger : LedgerApiFactory
    {
        public ExportingLedger() => Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9";
    }

    [Fact]
    public async Task with_an_otlp_endpoint_the_sdk_traces_the_ledger_and_marten_and_wolverine_sources_and_keeps_serving()
    {
        api.Services.GetService(typeof(TracerProvider)).ShouldNotBeNull();
        api.Services.GetService(typeof(MeterProvider)).ShouldNotBeNull();
        using var marten = new ActivitySource("Marten");
        using var wolverine = new ActivitySource("Wolverine");
        marten.HasListeners().ShouldBeTrue();
        wolverine.HasListeners().ShouldBeTrue();
        Ledger.Api.Observability.LedgerTelemetry.Source.HasListeners().ShouldBeTrue();

        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        await client.TransferAsync(a, b, 10);
        (await api.Auditor().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
