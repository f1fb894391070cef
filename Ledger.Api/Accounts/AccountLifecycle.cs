using Ledger.Api.Auth;
using Ledger.Api.Http;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;

namespace Ledger.Api.Accounts;

/// <summary>Freeze, unfreeze and close: operator actions with no body.</summary>
public static class AccountLifecycle
{
    public static Task<IResult> Freeze(string id, HttpContext http, WritePipeline pipeline) =>
        Submit(id, http, pipeline, accountId => new FreezeAccount(accountId, default));

    public static Task<IResult> Unfreeze(string id, HttpContext http, WritePipeline pipeline) =>
        Submit(id, http, pipeline, accountId => new UnfreezeAccount(accountId, default));

    public static Task<IResult> Close(string id, HttpContext http, WritePipeline pipeline) =>
        Submit(id, http, pipeline, accountId => new CloseAccount(accountId, default));

    private static async Task<IResult> Submit(string id, HttpContext http, WritePipeline pipeline, Func<Guid, IAccountCommand> command)
    {
        if (!WriteResults.TryParseId(id, out var accountId, out var problem)) return problem!;
        return WriteResults.Render<AccountResult, AccountResponse>(await pipeline.SubmitAsync(new LifecycleWrite(http.User.ActorName(), command(accountId))),
            AccountResponse.From, LedgerJson.Default.AccountResponse, creates: false);
    }
}
