using Ledger.Api.Observability;

namespace Ledger.Api.Admin;

/// <summary><c>GET /admin/stats</c>: the per-second series behind the console's overview charts.</summary>
public static class GetStats
{
    public static IResult Handle(RecentStats stats) => TypedResults.Ok(stats.Snapshot());
}
