using Ledger.Projections;
using Ledger.Projections.Store;

namespace Ledger.Api.Admin;

/// <summary>One projection's status; <c>lastError</c> is present only while there is one (api.md marks it optional).</summary>
public sealed record ProjectionStatusResponse(
    string Name, string Position, string HeadPosition, long LagEvents, long LagMs, string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? LastError);

public static class GetProjections
{
    public static async Task<IResult> Handle(ProjectionProgress progress, TimeProvider clock, CancellationToken ct)
    {
        var statuses = await progress.ReadAsync([ProjectionNames.Balances, ProjectionNames.Transactions], clock.GetUtcNow(), ct);
        var head = statuses[0].Head;
        var response = statuses.Select(s => new ProjectionStatusResponse(
            s.Name, s.Position.ToString(), s.Head.ToString(), s.LagEvents, s.LagMs, s.Status, s.LastError)).ToList();
        // The audit trail is written inline with the events, so it is never behind.
        response.Add(new ProjectionStatusResponse(ProjectionNames.Audit, head.ToString(), head.ToString(), 0, 0, "running", null));
        return TypedResults.Ok(response);
    }
}
