using FluentValidation;
using Ledger.Api.Http;
using Ledger.Projections.Reconciliation;

namespace Ledger.Api.Admin;

public sealed record ReconciliationRequest(DateTimeOffset? AsOf);

public sealed class ReconciliationRequestValidator : AbstractValidator<ReconciliationRequest>
{
    public ReconciliationRequestValidator(TimeProvider clock) =>
        RuleFor(r => r.AsOf).Must(a => a is null || a <= clock.GetUtcNow().AddMinutes(1)).WithMessage("asOf must not be in the future.");
}

public sealed record ReconciliationList(IReadOnlyList<ReconciliationReport> Items);

public static class Reconciliations
{
    public static async Task<IResult> Create(HttpContext http, ReconciliationRequestValidator validator, Reconciler reconciler, CancellationToken ct)
    {
        var request = new ReconciliationRequest(null);
        if (http.Request.ContentLength is > 0 || http.Request.Headers.ContentType.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.ReconciliationRequest, validator, ct);
            if (problem is not null) return problem;
            request = body!;
        }
        var report = WithAsOf(await reconciler.RunAsync(request.AsOf, ct));
        return TypedResults.Created($"/admin/reconciliations/{report.Id}", report);
    }

    public static async Task<IResult> Get(string id, ReconciliationReports reports, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var reportId, out var problem)) return problem!;
        return await reports.FindAsync(reportId, ct) is { } report ? TypedResults.Ok(WithAsOf(report)) : Problems.NotFound($"Reconciliation {reportId}");
    }

    /// <summary>The latest reports, newest first: the console lists them, and an operator checks last night's run.</summary>
    public static async Task<IResult> List(string? limit, ReconciliationReports reports, Hosting.LedgerOptions options, CancellationToken ct)
    {
        if (!Reads.Paging.TryLimit(limit, options, out var count, out var problem)) return problem!;
        var recent = await reports.RecentAsync(count, ct);
        return TypedResults.Ok(new ReconciliationList(recent.Select(WithAsOf).ToList()));
    }

    /// <summary>A report always names its instant: without a requested <c>asOf</c> it is as of its start (the whole log then).</summary>
    private static ReconciliationReport WithAsOf(ReconciliationReport report) => report with { AsOf = report.AsOf ?? report.StartedAt };
}
