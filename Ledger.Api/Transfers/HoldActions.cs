using FluentValidation;
using Ledger.Api.Auth;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Domain.Holds;
using Ledger.Projections.Holds;
using Npgsql;

namespace Ledger.Api.Transfers;

/// <summary>The second phase of a two-phase transfer: post it (fully or in part) or void it.</summary>
public static class HoldActions
{
    public static async Task<IResult> Post(string id, HttpContext http, PostHoldValidator validator, HoldTable holds, CommandRecords records,
        NpgsqlDataSource dataSource, WritePipeline pipeline, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var transferId, out var problem)) return problem!;
        var request = new PostHoldRequest(null);
        if (HasBody(http.Request))
        {
            (var body, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.PostHoldRequest, validator, ct);
            if (problem is not null) return problem;
            request = body!;
        }
        return await SubmitAsync(transferId, new PostHold(transferId, request.Amount, default), http, holds, records, dataSource, pipeline, ct);
    }

    public static async Task<IResult> Void(string id, HttpContext http, HoldTable holds, CommandRecords records,
        NpgsqlDataSource dataSource, WritePipeline pipeline, CancellationToken ct)
    {
        if (!WriteResults.TryParseId(id, out var transferId, out var problem)) return problem!;
        if (HasBody(http.Request))
        {
            (_, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.VoidHoldRequest, NothingToValidate.Instance, ct);
            if (problem is not null) return problem;
        }
        return await SubmitAsync(transferId, new VoidHold(transferId, default), http, holds, records, dataSource, pipeline, ct);
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength is > 0 || request.Headers.ContentType.Count > 0;

    /// <summary>
    /// The hold's accounts come from its row (they never change), so the write locks them with the hold.
    /// A transfer without a hold is a one-phase one (422 <c>transfer_not_pending</c>) or unknown (404).
    /// </summary>
    private static async Task<IResult> SubmitAsync(Guid transferId, IHoldCommand command, HttpContext http, HoldTable holds, CommandRecords records,
        NpgsqlDataSource dataSource, WritePipeline pipeline, CancellationToken ct)
    {
        if (await holds.FindAsync(dataSource, transferId, ct) is not { } hold)
            return await records.FindTransferAsync(dataSource, transferId, ct) is null
                ? Problems.NotFound($"Transfer {transferId}")
                : Problems.Of(StatusCodes.Status422UnprocessableEntity, "transfer_not_pending", $"Transfer {transferId} is a one-phase transfer: it has nothing pending.");
        var write = new HoldCommandWrite(http.User.ActorName(), command, hold.State.FromAccountId, hold.State.ToAccountId);
        return PostTransfer.Render(await pipeline.SubmitAsync(write), creates: false);
    }

    private sealed class NothingToValidate : AbstractValidator<VoidHoldRequest>
    {
        public static readonly NothingToValidate Instance = new();
    }
}
