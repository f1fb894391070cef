using Ledger.Api.Accounts;
using Ledger.Api.Admin;
using Ledger.Api.Audit;
using Ledger.Api.Auth;
using Ledger.Api.Health;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using Ledger.Projections.Audit;

namespace Ledger.Api.Hosting;

/// <summary>Every route of the contract, grouped by who may call it, with its OpenAPI description.</summary>
public static class LedgerEndpoints
{
    private static readonly int[] WriteProblems = [400, 401, 403, 409, 413, 415, 422, 429, 503];
    private static readonly int[] ReadProblems = [400, 401, 403, 404, 429, 503];

    public static void MapLedger(this WebApplication app)
    {
        app.MapGet("/health/live", HealthEndpoints.Live).AllowAnonymous();
        app.MapGet("/health/ready", HealthEndpoints.Ready).AllowAnonymous().Produces<HealthResponse>().Produces<HealthResponse>(503);
        app.MapOpenApi().AllowAnonymous();

        var write = app.MapGroup("").RequireAuthorization(Policies.Write);
        write.MapPost("/accounts", PostAccount.Handle).Write<OpenAccountRequest, AccountResponse>();
        write.MapPost("/transfers", PostTransfer.Handle).Write<TransferRequest, TransferResponse>();
        write.MapPost("/transfers/batch", PostTransferBatch.Handle).Write<TransferBatchRequest, BatchResponse>(StatusCodes.Status200OK);
        write.MapPost("/deposits", PostMovement.Deposit).Write<MovementRequest, TransferResponse>();
        write.MapPost("/withdrawals", PostMovement.Withdraw).Write<MovementRequest, TransferResponse>();

        var read = app.MapGroup("").RequireAuthorization(Policies.Read);
        read.MapGet("/accounts/{id}", GetAccount.Account).Read<AccountResponse>();
        read.MapGet("/accounts/{id}/balance", GetAccount.Balance).Read<BalanceResponse>();
        read.MapGet("/accounts/{id}/transactions", GetTransactions.Handle).Read<TransactionPage>();
        read.MapGet("/transfers/{id}", GetTransfer.Handle).Read<TransferResponse>();

        var operate = app.MapGroup("").RequireAuthorization(Policies.Operate);
        operate.MapPost("/accounts/{id}/freeze", AccountLifecycle.Freeze).Read<AccountResponse>().ProducesProblem(422);
        operate.MapPost("/accounts/{id}/unfreeze", AccountLifecycle.Unfreeze).Read<AccountResponse>().ProducesProblem(422);
        operate.MapPost("/accounts/{id}/close", AccountLifecycle.Close).Read<AccountResponse>().ProducesProblem(422);

        var inspect = app.MapGroup("").RequireAuthorization(Policies.Inspect);
        inspect.MapGet("/accounts", ListAccounts.Handle).Read<AccountPage>();
        inspect.MapGet("/audit", AuditEndpoints.List).Read<AuditPage>();
        inspect.MapGet("/audit/verify", AuditEndpoints.Verify).Read<AuditVerification>();
        inspect.MapGet("/admin/projections", GetProjections.Handle).Read<List<ProjectionStatusResponse>>();
        inspect.MapGet("/admin/jobs/{id}", Rebuilds.GetJob).Read<JobResponse>();
        operate.MapPost("/admin/projections/{name}/rebuild", Rebuilds.Post).Produces(202).ProducesProblem(404).ProducesProblem(409);
        inspect.MapPost("/admin/reconciliations", Reconciliations.Create).Produces<Ledger.Projections.Reconciliation.ReconciliationReport>(201).ProducesProblem(400);
        inspect.MapGet("/admin/reconciliations/{id}", Reconciliations.Get).Read<Ledger.Projections.Reconciliation.ReconciliationReport>();
        inspect.MapPrometheusScrapingEndpoint("/metrics", app.Services.GetRequiredService<Observability.PrometheusMetrics>().Provider, null, null);
    }

    private static RouteHandlerBuilder Write<TRequest, TResponse>(this RouteHandlerBuilder route, int success = StatusCodes.Status201Created)
        where TRequest : notnull
    {
        // "*/*" and optional keep routing from answering 415 before authentication has said 401; the
        // handler itself refuses anything but JSON, after the key is checked.
        route.Accepts<TRequest>(isOptional: true, "application/json", "*/*").Produces<TResponse>(success);
        if (success == StatusCodes.Status201Created) route.Produces<TResponse>(StatusCodes.Status200OK);
        foreach (var status in WriteProblems) route.ProducesProblem(status);
        return route;
    }

    private static RouteHandlerBuilder Read<TResponse>(this RouteHandlerBuilder route)
    {
        route.Produces<TResponse>();
        foreach (var status in ReadProblems) route.ProducesProblem(status);
        return route;
    }
}
