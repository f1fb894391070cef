using Ledger.Api.Accounts;
using Ledger.Api.Admin;
using Ledger.Api.Audit;
using Ledger.Api.Auth;
using Ledger.Api.Health;
using Ledger.Api.Transfers;

namespace Ledger.Api.Hosting;

/// <summary>Every route of the contract, grouped by who may call it.</summary>
public static class LedgerEndpoints
{
    public static void MapLedger(this WebApplication app)
    {
        app.MapGet("/health/live", HealthEndpoints.Live).AllowAnonymous();
        app.MapGet("/health/ready", HealthEndpoints.Ready).AllowAnonymous();

        var write = app.MapGroup("").RequireAuthorization(Policies.Write);
        write.MapPost("/accounts", PostAccount.Handle);
        write.MapPost("/transfers", PostTransfer.Handle);
        write.MapPost("/transfers/batch", PostTransferBatch.Handle);
        write.MapPost("/deposits", PostMovement.Deposit);
        write.MapPost("/withdrawals", PostMovement.Withdraw);

        var read = app.MapGroup("").RequireAuthorization(Policies.Read);
        read.MapGet("/accounts/{id}", GetAccount.Account);
        read.MapGet("/accounts/{id}/balance", GetAccount.Balance);
        read.MapGet("/accounts/{id}/transactions", GetTransactions.Handle);
        read.MapGet("/transfers/{id}", GetTransfer.Handle);

        var operate = app.MapGroup("").RequireAuthorization(Policies.Operate);
        operate.MapPost("/accounts/{id}/freeze", AccountLifecycle.Freeze);
        operate.MapPost("/accounts/{id}/unfreeze", AccountLifecycle.Unfreeze);
        operate.MapPost("/accounts/{id}/close", AccountLifecycle.Close);

        var inspect = app.MapGroup("").RequireAuthorization(Policies.Inspect);
        inspect.MapGet("/accounts", ListAccounts.Handle);
        inspect.MapGet("/audit", AuditEndpoints.List);
        inspect.MapGet("/audit/verify", AuditEndpoints.Verify);
        inspect.MapGet("/admin/projections", GetProjections.Handle);
    }
}
