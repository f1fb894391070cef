using System.Diagnostics;
using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// How many SQL statements one read costs, counted from Npgsql's own trace: every statement a request
/// runs is a span in the request's trace, which the test starts with a trace id of its own.
/// </summary>
public sealed class ReadStatementsTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData("/accounts/{0}")]
    [InlineData("/accounts/{0}/balance")]
    public async Task reading_an_account_the_view_has_caught_up_with_is_one_statement(string route)
    {
        var client = api.Client();
        var account = await client.OpenAccountAsync(initialBalance: 500);
        await client.TransferAsync(account, await client.OpenAccountAsync(), 20);
        await api.WaitForProjectionsAsync();

        var (status, statements) = await CountStatementsAsync(string.Format(route, account));

        status.ShouldBe(HttpStatusCode.OK);
        statements.ShouldBe(1);
    }

    private async Task<(HttpStatusCode Status, int Statements)> CountStatementsAsync(string path)
    {
        var trace = ActivityTraceId.CreateRandom();
        var statements = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && activity.TraceId == trace) Interlocked.Increment(ref statements);
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await api.Client().SendAsync(request);
        return (response.StatusCode, Volatile.Read(ref statements));
    }
}
