using System.Globalization;
using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Api.Reads;
using Ledger.Projections.Audit;

namespace Ledger.Api.Audit;

/// <summary>One audit entry; <c>code</c> is present only on rejected writes (api.md marks it optional).</summary>
public sealed record AuditItem(
    long Sequence, DateTimeOffset At, string Actor, string Operation, IReadOnlyList<Guid> SubjectIds, string Outcome,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Code,
    string Detail, string Hash, string PreviousHash);

public sealed record AuditPage(IReadOnlyList<AuditItem> Items, string? NextCursor);

public static class AuditEndpoints
{
    public static async Task<IResult> List(string? accountId, string? after, string? limit, LedgerOptions options, AuditLog log, CancellationToken ct)
    {
        if (!Paging.TryLimit(limit, options, out var pageSize, out var problem)) return problem!;
        Guid? account = null;
        if (!string.IsNullOrEmpty(accountId))
        {
            if (!Guid.TryParse(accountId, out var parsed)) return Problems.Validation("accountId", "accountId must be a UUID.");
            account = parsed;
        }
        long afterSequence = 0;
        if (!string.IsNullOrEmpty(after) && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSequence))
            return Problems.Validation("after", "after must be a nextCursor returned by this endpoint.");

        // One entry more than the page tells whether another page exists, so the last page says null.
        var entries = await log.ReadAsync(account, afterSequence, pageSize + 1, ct);
        var page = entries.Take(pageSize).ToList();
        var next = entries.Count > pageSize ? page[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditPage(page.Select(e => new AuditItem(
            e.Sequence, e.At, e.Actor, e.Operation, e.SubjectIds, e.Outcome, e.Code, e.Detail, e.Hash, e.PreviousHash)).ToList(), next));
    }

    public static async Task<IResult> Verify(AuditLog log, CancellationToken ct) =>
        TypedResults.Ok(await log.VerifyAsync(ct));
}
