using Ledger.Api.Auth;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;

namespace Ledger.Api.Accounts;

public static class PostAccount
{
    public static async Task<IResult> Handle(HttpContext http, OpenAccountValidator validator, WritePipeline pipeline, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync(http.Request, LedgerJson.Default.OpenAccountRequest, validator, ct);
        if (problem is not null) return problem;
        if (request!.AllowNegative == true && !http.User.IsInRole(Roles.Operator))
            return Problems.Of(StatusCodes.Status403Forbidden, "forbidden", "Only an operator may open an account that can go below zero.");

        var id = request.Id ?? Guid.CreateVersion7();
        var normalized = request with { Id = id, AllowNegative = request.AllowNegative ?? false, InitialBalance = request.InitialBalance ?? 0 };
        var command = new OpenAccount(id, request.Currency!, request.Name, normalized.AllowNegative!.Value, IsSettlement: false, default);
        var write = new OpenAccountWrite(id, RequestHash.Of("account.open", normalized, LedgerJson.Default.OpenAccountRequest),
            http.User.ActorName(), command, normalized.InitialBalance!.Value);
        return WriteResults.Render<AccountResult, AccountResponse>(await pipeline.SubmitAsync(write), AccountResponse.From, LedgerJson.Default.AccountResponse, creates: true);
    }
}
