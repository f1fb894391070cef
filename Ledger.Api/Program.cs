using Ledger.Api.Cli;
using Ledger.Api.Hosting;
using Ledger.EventStore.Schema;

var (verb, rest) = Verbs.Find(args);
if (verb is not null && !Verbs.IsKnown(verb))
{
    await Console.Error.WriteLineAsync($"Unknown verb '{verb}'.");
    return Verbs.Usage;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseLedgerLogging();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddProblemDetails();
try
{
    builder.Services.AddLedger(builder.Configuration);
}
catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
{
    // Configuration mistakes are the operator's to fix: say which, without a stack trace or any secret.
    await Console.Error.WriteLineAsync($"Ledger.Api cannot start: {e.Message}");
    return Verbs.Failed;
}
var keysConfigured = builder.Configuration["LEDGER_API_KEYS"] is { Length: > 0 };
if (!keysConfigured && !builder.Environment.IsDevelopment() && verb is null or "serve")
{
    await Console.Error.WriteLineAsync("LEDGER_API_KEYS is empty: refusing to serve without API keys outside Development.");
    return Verbs.Failed;
}

var app = builder.Build();
if (verb is not null and not "serve")
{
    try
    {
        return await Verbs.RunAsync(verb, rest, app.Services, Console.Out);
    }
    catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync($"{verb}: {e.Message}");
        return Verbs.Failed;
    }
}

// The schema must be current before the daemon and the write pipeline start.
await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
// Exporters subscribe before the first request so no measurement is missed.
_ = app.Services.GetRequiredService<Ledger.Api.Observability.Telemetry>();
_ = app.Services.GetRequiredService<Ledger.Api.Observability.PrometheusMetrics>();
app.UseMiddleware<RequestLogging>();
app.UseMiddleware<ErrorHandling>();
app.UseStatusCodePages(async context =>
{
    // Routing's bare 404/405 become problems too, so every error has the same shape.
    var status = context.HttpContext.Response.StatusCode;
    var code = status == StatusCodes.Status404NotFound ? "not_found" : status == StatusCodes.Status405MethodNotAllowed ? "method_not_allowed" : "error";
    await Ledger.Api.Http.Problems.Of(status, code, $"No such route or method: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}.")
        .ExecuteAsync(context.HttpContext);
});
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapLedger();
await app.RunAsync();
return Verbs.Ok;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
