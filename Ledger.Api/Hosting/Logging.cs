using System.Diagnostics;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Ledger.Api.Hosting;

/// <summary>
/// Serilog to the console: JSON outside Development, readable text in it; and Serilog.AspNetCore's
/// request logging, one line per request with the fields the ledger has always logged.
/// </summary>
public static class Logging
{
    /// <summary>The log line's source, as before the move to Serilog.AspNetCore, so log queries keep working.</summary>
    private const string RequestSource = "Ledger.Api.Hosting.RequestLogging";

    public static void UseLedgerLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            // Marten logs every daemon batch at Information: thousands of lines a second under load.
            .MinimumLevel.Override("Marten", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext();
        configuration = builder.Environment.IsDevelopment()
            ? configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            : configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
        builder.Logging.ClearProviders();
        var logger = configuration.CreateLogger();
        // The request logging middleware writes to the logger it is given (else to the static Log.Logger, unset here).
        builder.Services.AddSingleton<Serilog.ILogger>(logger);
        builder.Services.AddSerilog(logger, dispose: true);
    }

    /// <summary>One line per request: method, route, status, duration, key name, trace id. Never the key itself.</summary>
    public static void UseLedgerRequestLogging(this WebApplication app) => app.UseSerilogRequestLogging(options =>
    {
        options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = "{Method} {Route} {Status} {DurationMs:0.0} ms key={KeyName} trace={TraceId}";
        // Every request is Information, 5xx included: ErrorHandling has already logged the failure itself.
        options.GetLevel = (_, _, _) => LogEventLevel.Information;
        options.GetMessageTemplateProperties = RequestProperties;
    });

    private static IEnumerable<LogEventProperty> RequestProperties(HttpContext context, string path, double elapsedMs, int status)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? path;
        return
        [
            new LogEventProperty("Method", new ScalarValue(context.Request.Method)),
            new LogEventProperty("Route", new ScalarValue(route)),
            new LogEventProperty("Status", new ScalarValue(status)),
            new LogEventProperty("DurationMs", new ScalarValue(elapsedMs)),
            new LogEventProperty("KeyName", new ScalarValue(context.User.Identity?.Name ?? "-")),
            new LogEventProperty("TraceId", new ScalarValue(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier)),
            // The middleware's logger would name itself; a property already on the event wins.
            new LogEventProperty(Serilog.Core.Constants.SourceContextPropertyName, new ScalarValue(RequestSource)),
        ];
    }
}
