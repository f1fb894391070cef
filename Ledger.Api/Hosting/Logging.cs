using Serilog;
using Serilog.Formatting.Json;

namespace Ledger.Api.Hosting;

/// <summary>Serilog to the console: JSON outside Development, readable text in it.</summary>
public static class Logging
{
    public static void UseLedgerLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            // Marten logs every daemon batch at Information: thousands of lines a second under load.
            .MinimumLevel.Override("Marten", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Hosting", Serilog.Events.LogEventLevel.Information)
            .Enrich.FromLogContext();
        configuration = builder.Environment.IsDevelopment()
            ? configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            : configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
    }
}

