using Ledger.Api.Auth;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Domain.Transfers;

namespace Ledger.Api.Transfers;

public static class PostTransfer
{
    public static async Task<IResult> Handle(HttpContext http, TransferValidator validator, WritePipeline pipeline, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.TransferRequest, validator, ct);
        if (problem is not null) return problem;

        return Render(await pipeline.SubmitAsync(ToWrite(request!, http.User.ActorName())));
    }

    /// <summary>The answer of every write on a transfer (creating one, or posting or voiding a hold).</summary>
    public static IResult Render(WriteOutcome outcome, bool creates = true) =>
        WriteResults.Render<TransferResult, TransferResponse>(outcome, TransferResponse.From, LedgerJson.Default.TransferResponse, creates);

    /// <summary>The idempotent transfer a request stands for; shared with the batch endpoint so an id means the same everywhere.</summary>
    public static IdempotentWrite ToWrite(TransferRequest request, string actor)
    {
        var id = request.Id ?? Guid.CreateVersion7();
        var metadata = request.Metadata is null ? null : new SortedDictionary<string, string>(request.Metadata, StringComparer.Ordinal);
        var normalized = request with { Id = id, Metadata = metadata is null ? null : new Dictionary<string, string>(metadata) };
        var command = new TransferFunds(id, request.FromAccountId!.Value, request.ToAccountId!.Value, request.Amount!.Value,
            request.Currency!, request.Reference, default);
        var hash = RequestHash.Of("transfer", normalized, LedgerJson.Default.TransferRequest);
        return request.Pending == true
            ? new PlaceHoldWrite(id, hash, actor, command, request.TimeoutSeconds, metadata)
            : new TransferWrite(id, hash, actor, MovementKind.Transfer, command, metadata);
    }
}
