using System.Diagnostics;

namespace Ledger.EventStore.Daemon;

/// <summary>Spans for projection batches; a host exports them by subscribing to <see cref="SourceName"/>.</summary>
public static class DaemonTelemetry
{
    public const string SourceName = "Ledger.EventStore";

    public static readonly ActivitySource Source = new(SourceName);
}
