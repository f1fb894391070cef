using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.Edge;

/// <summary>
/// Runs the real binary (production logging, JSON to stdout) with a unique database password and API
/// key, drives every kind of request at it, and searches everything it printed for either secret.
/// </summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task neither_the_database_password_nor_an_api_key_ever_appears_in_the_logs()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var role = $"leak_{suffix}";
        var password = $"Pw-{Guid.NewGuid():N}";
        var key = $"key-{Guid.NewGuid():N}";
        var admin = await TestDatabase.ConnectionStringAsync();
        await TestDatabase.ExecuteAsync($"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'");
        var schema = TestDatabase.NewSchemaName("leak");
        var output = new StringBuilder();
        var port = FreePort();
        try
        {
            var db = new NpgsqlConnectionStringBuilder(admin) { Username = role, Password = password }.ConnectionString;
            using var process = Start(port, db, key, schema, output);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http, process, output);

            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            var account = await http.OpenAccountAsync(initialBalance: 50);
            await http.PostRawAsync("/transfers", "{ not json");
            await http.GetAsync($"/accounts/{account}");
            await http.GetAsync("/admin/projections");
            using var wrong = new HttpClient { BaseAddress = http.BaseAddress };
            wrong.DefaultRequestHeaders.Add("X-Api-Key", key + "x");
            (await wrong.GetAsync($"/accounts/{account}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        finally
        {
            await TestDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await TestDatabase.ExecuteAsync($"DROP ROLE IF EXISTS {role}");
        }

        var logs = output.ToString();
        logs.ShouldContain("/accounts"); // the request log lines were captured
        // One line per request, with the fields it has always had (Serilog.AspNetCore's request logging).
        logs.ShouldContain("\"SourceContext\":\"Ledger.Api.Hosting.RequestLogging\"");
        logs.ShouldContain("\"Method\":\"GET\",\"Route\":\"/accounts/{id}\",\"Status\":200");
        logs.ShouldContain("\"KeyName\":\"operator-");
        logs.ShouldNotContain(password);
        logs.ShouldNotContain(key);
    }

    private static Process Start(int port, string db, string key, string schema, StringBuilder output)
    {
        var info = new ProcessStartInfo("dotnet", [RealBinary.ApiAssembly(), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["LEDGER_DB"] = db;
        info.Environment["LEDGER_API_KEYS"] = $"{key}:operator";
        info.Environment["Ledger__Schema"] = schema;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process process, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The API did not become ready. Output:\n{output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

}
