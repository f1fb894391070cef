using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace Ledger.Bench.Idiomatic;

/// <summary>The same body as the ledger's POST /transfers, so the same load generators drive both.</summary>
public sealed record TransferRequest(Guid Id, Guid FromAccountId, Guid ToAccountId, long Amount, string Currency);

public sealed record TransferResponse(Guid Id, Guid FromAccountId, Guid ToAccountId, long Amount, string Currency, string Status);

/// <summary>The body the harness seeds with (the ledger's POST /accounts shape; name is accepted and not kept).</summary>
public sealed record OpenAccountRequest(Guid Id, string Currency, string? Name, long InitialBalance);

public static class TransferEndpoint
{
    public static ProblemDetails Validate(TransferRequest request) =>
        request.Amount <= 0 ? Problem(400, "invalid_request", "amount must be a positive number of minor units.")
        : request.FromAccountId == request.ToAccountId ? Problem(400, "invalid_request", "toAccountId must differ from fromAccountId.")
        : WolverineContinue.NoProblems;

    /// <summary>
    /// Both streams come from <c>FetchForWriting</c> with their versions; the transactional middleware appends to
    /// both and commits once, and Marten rejects the commit if either stream moved meanwhile (a 409, see Program).
    /// </summary>
    [WolverinePost("/transfers")]
    public static IResult Post(
        TransferRequest request,
        [WriteAggregate(nameof(TransferRequest.FromAccountId))] IEventStream<Account> from,
        [WriteAggregate(nameof(TransferRequest.ToAccountId))] IEventStream<Account> to)
    {
        var debtor = from.Aggregate!;
        var creditor = to.Aggregate!;
        if (debtor.Currency != request.Currency || creditor.Currency != request.Currency)
        {
            return Results.Problem(Problem(422, "currency_mismatch", "Both accounts must hold the transfer's currency."));
        }

        if (debtor.BalanceMinor < request.Amount)
        {
            return Results.Problem(Problem(422, "insufficient_funds", "The debtor's balance does not cover the amount."));
        }

        var now = DateTimeOffset.UtcNow;
        from.AppendOne(new AccountDebited(debtor.Id, request.Id, request.Amount, now));
        to.AppendOne(new AccountCredited(creditor.Id, request.Id, request.Amount, now));
        return Results.Created($"/transfers/{request.Id}",
            new TransferResponse(request.Id, debtor.Id, creditor.Id, request.Amount, request.Currency, "completed"));
    }

    internal static ProblemDetails Problem(int status, string code, string detail) =>
        new() { Status = status, Title = code, Detail = detail, Extensions = { ["code"] = code } };
}

public static class OpenAccountEndpoint
{
    [WolverinePost("/accounts")]
    public static (IResult, IStartStream) Post(OpenAccountRequest request) =>
        (Results.Created($"/accounts/{request.Id}", new { id = request.Id }),
            MartenOps.StartStream<Account>(request.Id, new AccountOpened(request.Id, request.Currency, request.InitialBalance, DateTimeOffset.UtcNow)));
}

public static class ReadinessEndpoint
{
    /// <summary>Ready once the store answers: the harness waits on this before seeding.</summary>
    [WolverineGet("/health/ready")]
    public static async Task<IResult> Get(IQuerySession session, CancellationToken ct)
    {
        await session.Query<Account>().AnyAsync(ct);
        return Results.Ok(new { status = "ready" });
    }
}
