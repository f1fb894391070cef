using Ledger.Projections.Schema;

namespace Ledger.Api.Health;

public sealed record HealthResponse(string Status, bool Database, bool Schema, bool Daemon);

public static class HealthEndpoints
{
    public static IResult Live() => TypedResults.Ok(new { status = "live" });

    /// <summary>Ready only when the database answers, the schema is current and the projection daemon runs.</summary>
    /// <remarks>Marten's daemon is a hosted service of this process: it runs from host start to host stop (standing by or leading).</remarks>
    public static async Task<IResult> Ready(SchemaMigrator migrator, IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var daemon = new DaemonState(lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested);
        bool schemaCurrent;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            schemaCurrent = await migrator.IsCurrentAsync(timeout.Token);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return Results.Json(new HealthResponse("unavailable", false, false, daemon.IsRunning), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var ready = schemaCurrent && daemon.IsRunning;
        return Results.Json(new HealthResponse(ready ? "ready" : "unavailable", true, schemaCurrent, daemon.IsRunning),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private sealed record DaemonState(bool IsRunning);
}
