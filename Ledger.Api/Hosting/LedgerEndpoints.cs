using Ledger.Api.Accounts;
using Ledger.Api.Admin;
using Ledger.Api.Audit;
using Ledger.Api.Auth;
using Ledger.Api.Health;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using Ledger.Projections.Audit;
using Scalar.AspNetCore;
using Tag = Ledger.Api.Hosting.OpenApiDocument.Tags;

namespace Ledger.Api.Hosting;

/// <summary>Every route of the contract, grouped by who may call it, with its OpenAPI description.</summary>
public static class LedgerEndpoints
{
    private static readonly int[] WriteProblems = [400, 401, 403, 409, 413, 415, 422, 429, 503];
    private static readonly int[] ReadProblems = [400, 401, 403, 404, 429, 503];
    private static readonly int[] ReconcileProblems = [400, 401, 403, 413, 415, 429, 503];

    public static void MapLedger(this WebApplication app)
    {
        app.MapGet("/health/live", HealthEndpoints.Live).AllowAnonymous().Produces<LiveResponse>().Describe("getLiveness", "Liveness: the process serves", Tag.Health);
        app.MapGet("/health/ready", HealthEndpoints.Ready).AllowAnonymous().Produces<HealthResponse>().Produces<HealthResponse>(503)
            .Describe("getReadiness", "Readiness: database, schema and projection daemon", Tag.Health);
        app.MapOpenApi().AllowAnonymous();
        // The API reference page renders the live document; like the document, it needs no key.
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("Ledger API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json").AddPreferredSecuritySchemes(OpenApiDocument.SecurityScheme))
            .AllowAnonymous();

        var write = app.MapGroup("").RequireAuthorization(Policies.Write);
        write.MapPost("/accounts", PostAccount.Handle).Write<OpenAccountRequest, AccountResponse>("openAccount", "Open an account", Tag.Accounts);
        write.MapPost("/transfers", PostTransfer.Handle).Write<TransferRequest, TransferResponse>("createTransfer", "Transfer money between two accounts", Tag.Transfers);
        write.MapPost("/transfers/batch", PostTransferBatch.Handle).Write<TransferBatchRequest, BatchResponse>("createTransferBatch", "Apply a batch of transfers, in order, optionally atomically", Tag.Transfers, StatusCodes.Status200OK);
        write.MapPost("/transfers/{id}/post", HoldActions.Post).Write<PostHoldRequest, TransferResponse>("postTransfer", "Post a pending transfer, fully or in part", Tag.Transfers, StatusCodes.Status200OK).ProducesProblem(404);
        write.MapPost("/transfers/{id}/void", HoldActions.Void).Write<VoidHoldRequest, TransferResponse>("voidTransfer", "Void a pending transfer", Tag.Transfers, StatusCodes.Status200OK).ProducesProblem(404);
        write.MapPost("/deposits", PostMovement.Deposit).Write<MovementRequest, TransferResponse>("createDeposit", "Deposit money from the currency's settlement account", Tag.Transfers);
        write.MapPost("/withdrawals", PostMovement.Withdraw).Write<MovementRequest, TransferResponse>("createWithdrawal", "Withdraw money to the currency's settlement account", Tag.Transfers);

        var read = app.MapGroup("").RequireAuthorization(Policies.Read);
        read.MapGet("/accounts/{id}", GetAccount.Account).Read<AccountResponse>("getAccount", "Read an account", Tag.Accounts);
        read.MapGet("/accounts/{id}/balance", GetAccount.Balance).Read<BalanceResponse>("getBalance", "Read an account's balance, now or as of an instant", Tag.Accounts);
        read.MapGet("/accounts/{id}/transactions", GetTransactions.Handle).Read<TransactionPage>("listTransactions", "List an account's transactions, newest first", Tag.Accounts);
        read.MapGet("/accounts/{id}/holds", GetOpenHolds.Handle).Read<HoldList>("listOpenHolds", "List an account's open holds, oldest first", Tag.Accounts);
        read.MapGet("/transfers/{id}", GetTransfer.Handle).Read<TransferResponse>("getTransfer", "Read a transfer", Tag.Transfers);

        var operate = app.MapGroup("").RequireAuthorization(Policies.Operate);
        operate.MapPost("/accounts/{id}/freeze", AccountLifecycle.Freeze).Read<AccountResponse>("freezeAccount", "Freeze an account", Tag.Accounts).ProducesProblem(422);
        operate.MapPost("/accounts/{id}/unfreeze", AccountLifecycle.Unfreeze).Read<AccountResponse>("unfreezeAccount", "Unfreeze an account", Tag.Accounts).ProducesProblem(422);
        operate.MapPost("/accounts/{id}/close", AccountLifecycle.Close).Read<AccountResponse>("closeAccount", "Close an account whose balance is zero", Tag.Accounts).ProducesProblem(422);

        var inspect = app.MapGroup("").RequireAuthorization(Policies.Inspect);
        inspect.MapGet("/accounts", ListAccounts.Handle).Read<AccountPage>("listAccounts", "List accounts, oldest first", Tag.Accounts);
        inspect.MapGet("/audit", AuditEndpoints.List).Read<AuditPage>("listAuditEntries", "List audit entries, oldest first", Tag.Audit);
        inspect.MapGet("/audit/verify", AuditEndpoints.Verify).Read<AuditVerification>("verifyAudit", "Verify the audit trail's hash chain", Tag.Audit);
        inspect.MapGet("/admin/projections", GetProjections.Handle).Read<List<ProjectionStatusResponse>>("listProjections", "List the projections with their position and lag", Tag.Operations);
        inspect.MapGet("/admin/jobs/{id}", Rebuilds.GetJob).Read<JobResponse>("getJob", "Read a rebuild job", Tag.Operations);
        operate.MapPost("/admin/projections/{name}/rebuild", Rebuilds.Post).Read<RebuildAccepted>("rebuildProjection", "Rebuild a projection beside the live view", Tag.Operations, StatusCodes.Status202Accepted).ProducesProblem(409);
        inspect.MapPost("/admin/reconciliations", Reconciliations.Create)
            .Accepts<ReconciliationRequest>(isOptional: true, "application/json", "*/*")
            .Produces<Ledger.Projections.Reconciliation.ReconciliationReport>(StatusCodes.Status201Created).Problems(ReconcileProblems)
            .Describe("createReconciliation", "Replay the event log and compare it with the balances", Tag.Operations);
        inspect.MapGet("/admin/reconciliations", Reconciliations.List).Read<ReconciliationList>("listReconciliations", "List the latest reconciliation reports, newest first", Tag.Operations);
        inspect.MapGet("/admin/stats", GetStats.Handle).Read<Observability.StatsResponse>("getStats", "Per-second series of the last 15 minutes: transfers, write latency, projection lag", Tag.Operations);
        inspect.MapGet("/admin/reconciliations/{id}", Reconciliations.Get).Read<Ledger.Projections.Reconciliation.ReconciliationReport>("getReconciliation", "Read a reconciliation report", Tag.Operations);
        inspect.MapPrometheusScrapingEndpoint("/metrics", app.Services.GetRequiredService<Observability.PrometheusMetrics>().Provider, null, null);
    }

    private static RouteHandlerBuilder Write<TRequest, TResponse>(this RouteHandlerBuilder route, string operationId, string summary, string tag,
        int success = StatusCodes.Status201Created) where TRequest : notnull
    {
        route.Describe(operationId, summary, tag);
        // "*/*" and optional keep routing from answering 415 before authentication has said 401; the
        // handler itself refuses anything but JSON, after the key is checked.
        route.Accepts<TRequest>(isOptional: true, "application/json", "*/*").Produces<TResponse>(success);
        // A create with a known id and the same body answers the original with 200 (idempotency).
        if (success == StatusCodes.Status201Created) route.Produces<TResponse>(StatusCodes.Status200OK);
        return route.Problems(WriteProblems);
    }

    private static RouteHandlerBuilder Read<TResponse>(this RouteHandlerBuilder route, string operationId, string summary, string tag,
        int success = StatusCodes.Status200OK)
    {
        return route.Describe(operationId, summary, tag).Produces<TResponse>(success).Problems(ReadProblems);
    }

    private static RouteHandlerBuilder Problems(this RouteHandlerBuilder route, int[] statuses)
    {
        foreach (var status in statuses) route.ProducesProblem(status);
        return route;
    }
}
