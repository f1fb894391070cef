using Ledger.Api.Accounts;
using FluentValidation;
using Ledger.Api.Auth;
using Ledger.Api.Health;
using Ledger.Api.Observability;
using Ledger.Api.Reads;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using JasperFx.Events.Daemon;
using Ledger.Projections;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Marten;
using Ledger.Projections.Accounts;
using Ledger.Projections.Audit;
using Ledger.Projections.Balances;
using Ledger.Projections.History;
using Ledger.Projections.Reconciliation;
using Microsoft.AspNetCore.Authentication;
using Npgsql;
using Wolverine.Marten;

namespace Ledger.Api.Hosting;

/// <summary>
/// The composition root: every service the ledger runs on, wired by hand; the one scan is FluentValidation's,
/// over this assembly's validators.
/// </summary>
public static class LedgerServices
{
    public static LedgerOptions AddLedger(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        var connectionString = configuration["LEDGER_DB"];
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("LEDGER_DB is not set: give an Npgsql connection string (ops/run.sh sets one up locally).");
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "ledger" };
            // The write path runs the same few statements all day: let Npgsql prepare them, unless the
            // operator chose otherwise in LEDGER_DB.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            return builder.Build();
        });

        var schema = new LedgerSchema(options.Schema);
        services.AddSingleton(schema);
        services.AddSingleton(sp => new SchemaMigrator(sp.GetRequiredService<NpgsqlDataSource>(), schema, LedgerMigrations.All));
        services.AddSingleton<BalanceProjection>();
        services.AddSingleton<TransactionHistoryProjection>();
        services.AddSingleton<IRebuildableProjection>(sp => sp.GetRequiredService<BalanceProjection>());
        services.AddSingleton<IRebuildableProjection>(sp => sp.GetRequiredService<TransactionHistoryProjection>());
        // HotCold: every instance stands by, one leads each projection, another takes over when it dies.
        services.AddMarten(sp => LedgerStoreOptions.Create(sp.GetRequiredService<NpgsqlDataSource>(), schema, options.Projections.BatchSize,
                sp.GetRequiredService<BalanceProjection>(), sp.GetRequiredService<TransactionHistoryProjection>()))
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine(wolverine => wolverine.MessageStorageSchemaName = schema.Name);
        services.AddLedgerMessaging();
        services.AddSingleton<ProjectionDaemonState>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionDaemonState>());

        AddWriteSide(services, options);
        AddReadSide(services);
        AddAuth(services, configuration);
        services.AddLedgerRateLimits(options.RateLimits);
        services.AddLedgerTelemetry(configuration);
        services.AddLedgerReadiness();
        services.AddSingleton<Observability.LedgerGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<Observability.LedgerGauges>());
        services.AddLedgerOpenApi();
        return options;
    }

    private static void AddWriteSide(IServiceCollection services, LedgerOptions options)
    {
        services.AddSingleton<RecentStats>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<CommandRecords>();
        services.AddSingleton<Ledger.Projections.Holds.HoldTable>();
        services.AddSingleton(sp => new LedgerWriter(sp.GetRequiredService<Marten.IDocumentStore>(), sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<LedgerSchema>(), sp.GetRequiredService<AuditTrail>(), options.Risk.ToLimits(),
            sp.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>(), sp.GetRequiredService<RecentStats>()));
        services.AddSingleton<WritePipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<WritePipeline>());
        services.AddSingleton<Jobs.HoldExpiry>();
        services.AddHostedService(sp => sp.GetRequiredService<Jobs.HoldExpiry>());
        // Every validator of the API, each as itself and as IValidator<T>; they hold no state.
        services.AddValidatorsFromAssemblyContaining<OpenAccountValidator>(ServiceLifetime.Singleton);
    }

    private static void AddReadSide(IServiceCollection services)
    {
        services.AddSingleton<ProjectionFaults>();
        services.AddSingleton<ProjectionProgress>();
        services.AddSingleton<ReadFreshness>();
        services.AddSingleton<AccountViews>();
        services.AddSingleton<TransactionHistory>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ReconciliationReports>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<Jobs.DailyReconciliation>();
        services.AddHostedService(sp => sp.GetRequiredService<Jobs.DailyReconciliation>());
        services.AddSingleton<ProjectionRebuilder>();
        services.AddSingleton<Admin.Jobs>();
        services.AddSingleton<Admin.Rebuilds>();
    }

    private static void AddAuth(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ApiKeys.Parse(configuration["LEDGER_API_KEYS"]));
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, _ => { });
        services.AddAuthorization(Policies.Add);
    }
}
