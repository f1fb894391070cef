using Ledger.Api.Admin;

namespace Ledger.Api.Jobs;

/// <summary>An accepted rebuild job (its row in <c>jobs</c> was written with this message).</summary>
public sealed record RebuildProjection(Guid JobId, string Projection);

public static class RebuildProjectionHandler
{
    public static Task Handle(RebuildProjection job, Rebuilds rebuilds) => rebuilds.RunAsync(job);
}
