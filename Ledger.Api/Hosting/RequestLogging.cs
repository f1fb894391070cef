using System.Diagnostics;

namespace Ledger.Api.Hosting;

/// <summary>One log line per request: method, route, status, duration, key name, trace id. Never the key itself.</summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            LogRequest(logger, context.Request.Method, route, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.User.Identity?.Name ?? "-",
                Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} {Status} {DurationMs:0.0} ms key={KeyName} trace={TraceId}")]
    private static partial void LogRequest(ILogger logger, string method, string route, int status, double durationMs, string keyName, string traceId);
}
