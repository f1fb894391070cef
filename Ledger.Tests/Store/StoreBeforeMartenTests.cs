using System.Diagnostics;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Store;

/// <summary>
/// A schema the ledger wrote before its move to Marten (its own events and streams tables) is refused by
/// the real binary, untouched, rather than served as an empty ledger that fails on the first write.
/// </summary>
public sealed class StoreBeforeMartenTests
{
    [Fact]
    public async Task migrating_a_schema_that_holds_the_store_from_before_marten_exits_1_and_leaves_it_as_it_was()
    {
        var db = await TestDatabase.ConnectionStringAsync();
        var schema = TestDatabase.NewSchemaName("premarten");
        await TestDatabase.ExecuteAsync($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.streams (id uuid PRIMARY KEY); " +
                                        $"CREATE TABLE {schema}.events (seq bigserial PRIMARY KEY, stream_id uuid NOT NULL)");
        try
        {
            var info = new ProcessStartInfo("dotnet", [RealBinary.ApiAssembly(), "migrate"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["LEDGER_DB"] = db;
            info.Environment["Ledger__Schema"] = schema;
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            process.ExitCode.ShouldBe(1, await stdout + await stderr);
            (await stderr).ShouldContain("from before its move to Marten");
            (await TestDatabase.ScalarAsync<bool>($"SELECT to_regclass('{schema}.mt_events') IS NULL")).ShouldBeTrue("Marten's tables were created beside the old store");
        }
        finally
        {
            await TestDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }
}
