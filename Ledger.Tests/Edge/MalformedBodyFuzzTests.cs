using System.Text;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

/// <summary>
/// Nothing a client sends may produce a 500 or change the ledger: every write endpoint gets hundreds of
/// generated malformed bodies (seeded, so a failure reproduces) and must answer each with a 4xx problem.
/// </summary>
public sealed class MalformedBodyFuzzTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private const int BodiesPerEndpoint = 220;

    public static TheoryData<string> WriteEndpoints => new() { "/accounts", "/transfers", "/deposits", "/withdrawals", "/transfers/batch" };

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task malformed_bodies_get_a_4xx_problem_and_leave_the_ledger_unchanged(string endpoint)
    {
        var client = api.Operator();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        var eventsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events");
        var valid = ValidBody(endpoint, a, b);
        var random = new Random(endpoint.GetHashCode(StringComparison.Ordinal) ^ 20261122);

        for (var i = 0; i < BodiesPerEndpoint; i++)
        {
            var body = Mutate(valid, random, i);
            var response = await client.PostAsync(endpoint, new StringContent(body, Encoding.UTF8, "application/json"));
            var status = (int)response.StatusCode;
            status.ShouldBeInRange(400, 499, $"body #{i}: {body}");
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"body #{i}: {body}");
        }

        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events")).ShouldBe(eventsBefore);
    }

    private static string ValidBody(string endpoint, Guid a, Guid b) => endpoint switch
    {
        "/accounts" => """{"currency":"USD","name":"n","initialBalance":5}""",
        "/transfers" => $$$"""{"fromAccountId":"{{{a}}}","toAccountId":"{{{b}}}","amount":5,"currency":"USD","reference":"r","metadata":{"k":"v"}}""",
        "/transfers/batch" => $$"""{"atomic":false,"transfers":[{"fromAccountId":"{{a}}","toAccountId":"{{b}}","amount":5,"currency":"USD"}]}""",
        _ => $$"""{"accountId":"{{a}}","amount":5,"currency":"USD"}""",
    };

    /// <summary>Every mutation makes the body invalid: a strict prefix, a broken value, an extra member, noise.</summary>
    private static string Mutate(string valid, Random random, int i)
    {
        var mutated = MutateOnce(valid, random, i);
        // A mutation that found nothing to change (no UUID in the body, say) falls back to a strict prefix.
        return mutated == valid ? valid[..random.Next(0, valid.Length - 1)] : mutated;
    }

    private static string MutateOnce(string valid, Random random, int i) => (i % 12) switch
    {
        0 => valid[..random.Next(0, valid.Length - 1)],
        1 => valid.Replace("\"USD\"", Pick(random, "\"usd\"", "\"XXX\"", "12", "null", "[]", "{}", "\"\"")),
        2 => valid.Replace(":5", ":" + Pick(random, "0", "-5", "5.5", "\"5\"", "9223372036854775808", "1e3", "true", "[]")),
        3 => valid.Insert(1, $"\"x{random.Next(1000)}\":{Pick(random, "1", "\"a\"", "null", "{}")},"),
        4 => Encoding.Latin1.GetString(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256)).ToArray()),
        5 => valid + Pick(random, "x", "{}", "]", "  garbage", "\u0000"),
        6 => Pick(random, "", "null", "[]", "42", "\"text\"", "true", "{", "}", "[{}]"),
        7 => valid.Replace("-", Pick(random, "", "g", "--")),
        8 => valid.Insert(valid.Length - 1, "," + valid[1..valid.IndexOf(',', StringComparison.Ordinal)]),
        9 => new string('[', random.Next(64, 3000)) + new string(']', random.Next(0, 10)),
        10 => valid.Replace("\"", Pick(random, "'", "", "\\\"")),
        _ => valid.Replace("\"currency\"", Pick(random, "\"Currency\"", "\"curr\"", "\"\"")),
    };

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];
}
