using Ledger.Api.Cli;
using Ledger.Api.Hosting;
using Ledger.Projections.Schema;

var (verb, rest) = Verbs.Find(args);

var builder = WebApplication.CreateBuilder(args);
builder.UseLedgerLogging();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddProblemDetails();
// Every timestamp on the wire is UTC with a Z, whichever serializer writes it.
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.Converters.Add(new Ledger.Api.Http.UtcTimestampConverter());
    // Numbers are numbers: bodies are read strictly (Http/JsonBody), and the OpenAPI document must not
    // offer "integer or string" for amounts as the web defaults' AllowReadingFromString would.
    json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
});
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
    // Every other verb is JasperFx's: Marten's own (db-apply, db-assert, describe, projections --list, …) and help.
    if (!Verbs.IsOurs(verb, rest)) return await JasperFx.CommandLineHostingExtensions.RunJasperFxCommands(app, [verb, .. rest]);
    try
    {
        return await Verbs.RunAsync(verb, rest, app.Services, Console.Out);
    }
    catch (Exception e) when (DatabaseFaults.IsDatabase(e) || e is InvalidOperationException)
    {
        await Console.Error.WriteLineAsync($"{verb}: {e.Message}");
        return Verbs.Failed;
    }
}

// The schema must be current and every settlement account open before the daemon and the write
// pipeline start. A database still starting up gets 30 s; after that the operator gets one clear line.
var startupDeadline = DateTime.UtcNow.AddSeconds(30);
while (true)
{
    try
    {
        await LedgerDatabase.MigrateAsync(app.Services, CancellationToken.None);
        await app.Services.GetRequiredService<Ledger.Api.Writes.LedgerWriter>().OpenSettlementAccountsAsync(
            app.Services.GetRequiredService<LedgerOptions>().Currencies, TimeProvider.System.GetUtcNow(), CancellationToken.None);
        break;
    }
    catch (Exception e) when (DateTime.UtcNow < startupDeadline && DatabaseFaults.IsTransient(e))
    {
        await Console.Error.WriteLineAsync($"Ledger.Api: database not reachable yet ({e.Message}); retrying.");
        await Task.Delay(TimeSpan.FromSeconds(1));
    }
    catch (Exception e) when (DatabaseFaults.IsDatabase(e) || e is ArgumentException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync($"Ledger.Api cannot start: the database is not usable ({e.GetType().Name}: {e.Message}).");
        return Verbs.Failed;
    }
}
app.UseLedgerRequestLogging();
app.UseMiddleware<ErrorHandling>();
app.UseStatusCodePages(async context =>
{
    // Routing's bare 404/405/415 become problems too, so every error has the same shape.
    var http = context.HttpContext;
    var (code, detail) = http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => ("not_found", $"No such route: {http.Request.Method} {http.Request.Path}."),
        StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", $"{http.Request.Path} does not answer {http.Request.Method}."),
        StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "Send the body as application/json."),
        StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "The request body is too large."),
        _ => ("error", $"The request failed: {http.Request.Method} {http.Request.Path}."),
    };
    await Ledger.Api.Http.Problems.Of(http.Response.StatusCode, code, detail).ExecuteAsync(http);
});
app.UseLedgerConsole();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapLedger();
await app.RunAsync();
return Verbs.Ok;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
