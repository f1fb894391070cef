using Ledger.Api.Auth;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
using Ledger.Domain.Transfers;

namespace Ledger.Api.Transfers;

/// <summary>Deposits and withdrawals: transfers whose other side is the currency's settlement account.</summary>
public static class PostMovement
{
    public static Task<IResult> Deposit(HttpContext http, MovementValidator validator, WritePipeline pipeline, CancellationToken ct) =>
        Handle(http, validator, pipeline, MovementKind.Deposit, ct);

    public static Task<IResult> Withdraw(HttpContext http, MovementValidator validator, WritePipeline pipeline, CancellationToken ct) =>
        Handle(http, validator, pipeline, MovementKind.Withdrawal, ct);

    private static async Task<IResult> Handle(
        HttpContext http, MovementValidator validator, WritePipeline pipeline, MovementKind kind, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.MovementRequest, validator, ct);
        if (problem is not null) return problem;

        var id = request!.Id ?? Guid.CreateVersion7();
        var settlement = SettlementAccounts.IdFor(request.Currency!);
        var account = request.AccountId!.Value;
        var (from, to) = kind == MovementKind.Deposit ? (settlement, account) : (account, settlement);
        var command = new TransferFunds(id, from, to, request.Amount!.Value, request.Currency!, request.Reference, default);
        var operation = kind == MovementKind.Deposit ? "deposit" : "withdrawal";
        var write = new TransferWrite(id, RequestHash.Of(operation, request with { Id = id }, LedgerJson.Default.MovementRequest),
            http.User.ActorName(), kind, command, Metadata: null);
        return PostTransfer.Render(await pipeline.SubmitAsync(write));
    }
}
