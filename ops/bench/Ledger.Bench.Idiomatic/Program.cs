using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Bench.Idiomatic;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Http.Marten;
using Wolverine.Marten;

// The ledger written the obvious Critter-Stack way, as a benchmark subject for ops/bench/run.sh: one Marten
// stream per account, one Wolverine HTTP endpoint per transfer, [WriteAggregate] on both accounts, one session
// per request, optimistic concurrency and Wolverine's transactional middleware. It keeps Marten's documented
// throughput settings (Quick append, inline snapshots read through the identity map) and nothing of our own.
var builder = WebApplication.CreateBuilder(args);
var connection = builder.Configuration["IDIOMATIC_DB"]
    ?? throw new InvalidOperationException("IDIOMATIC_DB (an Npgsql connection string) is not set.");

builder.Services.AddMarten(opts =>
    {
        opts.Connection(connection);
        opts.DatabaseSchemaName = "idiomatic";
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(casing: Casing.CamelCase);
        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        opts.Events.AppendMode = EventAppendMode.Quick;
        opts.Events.UseIdentityMapForAggregates = true;
        opts.Events.MapEventType<AccountOpened>("account.opened.v1");
        opts.Events.MapEventType<AccountDebited>("account.debited.v1");
        opts.Events.MapEventType<AccountCredited>("account.credited.v1");
        opts.Projections.Snapshot<Account>(SnapshotLifecycle.Inline);
    })
    .UseLightweightSessions()
    .IntegrateWithWolverine();

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    // No handler code is pre-generated: WolverineFx.RuntimeCompilation compiles it with Roslyn at start.
    opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Dynamic;
});
builder.Services.AddWolverineHttp();

var app = builder.Build();
app.MapWolverineEndpoints(opts =>
    // A stream that moved between FetchForWriting and the commit is a 409 the client may retry, not a 500.
    opts.MapMartenConcurrencyFailuresToConflict(toProblemDetails: e =>
        TransferEndpoint.Problem(409, "concurrency_conflict", e.Message)));

await app.RunAsync();
