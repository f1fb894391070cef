using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

public sealed record LiveResponse(string Status);

public sealed record HealthResponse(string Status, bool Database, bool Schema, bool Daemon);

/// <summary>
/// The health routes render ASP.NET Core's <see cref="HealthCheckService"/> report in the contract's
/// shape. They are route handlers (not <c>MapHealthChecks</c>) so that the OpenAPI document lists them.
/// </summary>
public static class HealthEndpoints
{
    public static IResult Live() => TypedResults.Ok(new LiveResponse("live"));

    /// <summary>Ready only when the database answers, the schema is current and the projection daemon runs.</summary>
    public static async Task<IResult> Ready(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadinessChecks.Tag), ct);
        bool Healthy(string name) => report.Entries.TryGetValue(name, out var entry) && entry.Status == HealthStatus.Healthy;
        var ready = report.Status == HealthStatus.Healthy;
        return Results.Json(new HealthResponse(ready ? "ready" : "unavailable", Healthy(ReadinessChecks.Database),
                Healthy(ReadinessChecks.Schema), Healthy(ReadinessChecks.Daemon)),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
