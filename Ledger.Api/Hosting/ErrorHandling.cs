using Ledger.Api.Http;

namespace Ledger.Api.Hosting;

/// <summary>
/// The last line: a database that cannot be reached is a 503 with Retry-After; anything else unexpected
/// is logged with its trace id and answered as a problem, never as an empty 500 or a stack trace.
/// </summary>
public sealed partial class ErrorHandling(RequestDelegate next, ILogger<ErrorHandling> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && IsUnavailable(e))
        {
            LogUnavailable(logger, context.Request.Path, e.GetType().Name);
            await Problems.Unavailable("The ledger's database cannot be reached; retry shortly.").ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "payload_too_large" : "validation_failed";
            await Problems.Of(e.StatusCode, code, "The request could not be read.").ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            LogUnexpected(logger, context.Request.Path, e);
            await Problems.Of(StatusCodes.Status500InternalServerError, "internal_error",
                $"An unexpected error occurred; trace id {context.TraceIdentifier}.").ExecuteAsync(context);
        }
    }

    private static bool IsUnavailable(Exception e) => DatabaseFaults.IsDatabase(e)
        || e is InvalidOperationException { InnerException: Npgsql.NpgsqlException };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable while serving {Path}: {Error}")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, PathString path, Exception error);
}
