using Ledger.Api.Accounts;
using FluentValidation;
using Ledger.Api.Auth;
using Ledger.Api.Health;
using Ledger.Api.Observability;
using Ledger.Api.Reads;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Ledger.EventStore.Schema;
using Ledger.Projections;
using Ledger.Projections.Accounts;
using Ledger.Projections.Audit;
using Ledger.Projections.Balances;
using Ledger.Projections.Events;
using Ledger.Projections.History;
using Ledger.Projections.Reconciliation;
using Microsoft.AspNetCore.Authentication;
using Npgsql;

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

        var schema = new EventStoreSchema(options.Schema);
        services.AddSingleton(schema);
        services.AddSingleton(LedgerEventTypes.CreateRegistry());
        services.AddSingleton(sp => new EventStore.EventStore(sp.GetRequiredService<NpgsqlDataSource>(), schema,
            sp.GetRequiredService<EventStore.Serialization.EventTypeRegistry>(), serializeAppends: true));
        services.AddSingleton(sp => new SchemaMigrator(sp.GetRequiredService<NpgsqlDataSource>(), schema,
            [.. EventStoreMigrations.All, .. LedgerMigrations.All]));

        AddWriteSide(services, options);
        AddReadSide(services, options);
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
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<CommandRecords>();
        services.AddSingleton(sp => new LedgerWriter(sp.GetRequiredService<EventStore.EventStore>(), sp.GetRequiredService<AuditTrail>(), options.Risk.ToLimits()));
        services.AddSingleton<WritePipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<WritePipeline>());
        // Every validator of the API, each as itself and as IValidator<T>; they hold no state.
        services.AddValidatorsFromAssemblyContaining<OpenAccountValidator>(ServiceLifetime.Singleton);
    }

    private static void AddReadSide(IServiceCollection services, LedgerOptions options)
    {
        services.AddSingleton<IAsyncProjection, BalanceProjection>();
        services.AddSingleton<IAsyncProjection, TransactionHistoryProjection>();
        services.AddSingleton(new ProjectionDaemonOptions
        {
            BatchSize = options.Projections.BatchSize,
            PollInterval = TimeSpan.FromMilliseconds(options.Projections.PollIntervalMs),
        });
        services.AddSingleton<ProjectionDaemon>();
        services.AddHostedService<ProjectionDaemonService>();
        services.AddSingleton<CheckpointWaiter>();
        services.AddSingleton<ProjectionStatusReader>();
        services.AddSingleton<ReadFreshness>();
        services.AddSingleton<AccountViews>();
        services.AddSingleton(sp => new TransactionHistory(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreSchema>()));
        services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreSchema>()));
        services.AddSingleton(sp => new ReconciliationReports(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreSchema>()));
        services.AddSingleton<Reconciler>();
        services.AddHostedService<Admin.ScheduledReconciliation>();
        services.AddSingleton(sp => new ProjectionRebuilder(sp.GetRequiredService<EventStore.EventStore>()));
        services.AddSingleton(sp => new Admin.Jobs(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreSchema>()));
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

/// <summary>Starts the projection daemon with the host and stops it cleanly on shutdown.</summary>
public sealed class ProjectionDaemonService(ProjectionDaemon daemon) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => daemon.StartAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => daemon.StopAsync(cancellationToken);
}
