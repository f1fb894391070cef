using FluentValidation;
using Ledger.Api.Auth;
using Ledger.Api.Hosting;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Microsoft.AspNetCore.Http.Features;

namespace Ledger.Api.Transfers;

public sealed record TransferBatchRequest(bool? Atomic, List<TransferRequest>? Transfers);

public sealed class TransferBatchValidator : AbstractValidator<TransferBatchRequest>
{
    public const int TransfersMax = 8190;

    public TransferBatchValidator(TransferValidator item)
    {
        // The condition must hold for the count alone: by default FluentValidation applies When to every
        // validator before it in the chain, which silently switched the NotNull off (a missing member was 500).
        RuleFor(r => r.Transfers).NotNull().WithMessage("transfers is required.")
            .Must(t => t!.Count is >= 1 and <= TransfersMax).When(r => r.Transfers is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"transfers holds 1 to {TransfersMax} transfers.");
        RuleForEach(r => r.Transfers).NotNull().WithMessage("A transfer must be an object.").SetValidator(item!);
        RuleFor(r => r.Transfers).Must(t => t!.Where(x => x?.Id is not null).GroupBy(x => x!.Id).All(g => g.Count() == 1))
            .When(r => r.Transfers is not null).WithMessage("Transfer ids must be unique within a batch.");
    }
}

public static class PostTransferBatch
{
    /// <summary>Large enough for 8190 transfers with references and metadata.</summary>
    public const long BodyBytesMax = 16 * 1024 * 1024;

    public static async Task<IResult> Handle(HttpContext http, TransferBatchValidator validator, WritePipeline pipeline, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = BodyBytesMax;
        var (request, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.TransferBatchRequest, validator, ct);
        if (problem is not null) return problem;

        var actor = http.User.ActorName();
        var items = request!.Transfers!.Select(t => PostTransfer.ToWrite(t!, actor)).ToList();
        return WriteResults.Render<BatchResult, BatchResponse>(await pipeline.SubmitAsync(new TransferBatchWrite(actor, request.Atomic ?? false, items)),
            BatchResponse.From, LedgerJson.Default.BatchResponse, creates: false);
    }
}
