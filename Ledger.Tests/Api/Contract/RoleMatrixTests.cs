using System.Net;
using System.Net.Http.Json;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>
/// Every endpoint × {no key, unknown key, client, operator, auditor}: 401, 403 or allowed (anything else)
/// exactly as the Conventions say. client: accounts, transfers, deposits, withdrawals and their queries;
/// operator: everything; auditor: every GET plus /audit/*; the account listing is operator/auditor only.
/// </summary>
public sealed class RoleMatrixTests(LedgerApiFactory api) : IAsyncLifetime, IClassFixture<LedgerApiFactory>
{
    private const string None = "none";
    private const string Unknown = "unknown";
    private const string Client = "client";
    private const string Operator = "operator";
    private const string Auditor = "auditor";

    /// <summary>One endpoint: how to call it against the given fresh accounts, and which roles may.</summary>
    private sealed record Endpoint(string Method, string Route, Func<Accounts, (string Path, object? Body)> Call, params string[] AllowedRoles);

    /// <summary>Fresh state for one call: a funded account, an empty one and a transfer between earlier ones.</summary>
    private sealed record Accounts(Guid Funded, Guid Empty, Guid TransferId);

    private static readonly Endpoint[] Endpoints =
    [
        new("POST", "/accounts", a => ("/accounts", new { currency = "USD" }), Client, Operator),
        new("GET", "/accounts", a => ("/accounts?limit=1", null), Operator, Auditor),
        new("GET", "/accounts/{id}", a => ($"/accounts/{a.Funded}", null), Client, Operator, Auditor),
        new("GET", "/accounts/{id}/balance", a => ($"/accounts/{a.Funded}/balance", null), Client, Operator, Auditor),
        new("GET", "/accounts/{id}/transactions", a => ($"/accounts/{a.Funded}/transactions", null), Client, Operator, Auditor),
        new("GET", "/accounts/{id}/holds", a => ($"/accounts/{a.Funded}/holds", null), Client, Operator, Auditor),
        new("POST", "/accounts/{id}/freeze", a => ($"/accounts/{a.Funded}/freeze", null), Operator),
        new("POST", "/accounts/{id}/unfreeze", a => ($"/accounts/{a.Funded}/unfreeze", null), Operator),
        new("POST", "/accounts/{id}/close", a => ($"/accounts/{a.Empty}/close", null), Operator),
        new("POST", "/transfers", a => ("/transfers", ContractHttp.Transfer(a.Funded, a.Empty, 1)), Client, Operator),
        new("POST", "/transfers/batch", a => ("/transfers/batch", new { atomic = false, transfers = new[] { ContractHttp.Transfer(a.Funded, a.Empty, 1) } }), Client, Operator),
        new("GET", "/transfers/{id}", a => ($"/transfers/{a.TransferId}", null), Client, Operator, Auditor),
        new("POST", "/deposits", a => ("/deposits", ContractHttp.Movement(a.Empty, 1)), Client, Operator),
        new("POST", "/withdrawals", a => ("/withdrawals", ContractHttp.Movement(a.Funded, 1)), Client, Operator),
        new("GET", "/audit", a => ("/audit?limit=1", null), Operator, Auditor),
        new("GET", "/audit?accountId=", a => ($"/audit?accountId={a.Funded}", null), Operator, Auditor),
        new("GET", "/audit/verify", a => ("/audit/verify", null), Operator, Auditor),
        new("GET", "/admin/projections", a => ("/admin/projections", null), Operator, Auditor),
        new("POST", "/admin/projections/{name}/rebuild", a => ("/admin/projections/transactions/rebuild", null), Operator),
        new("GET", "/admin/jobs/{id}", a => ($"/admin/jobs/{Guid.NewGuid()}", null), Operator, Auditor),
        new("POST", "/admin/reconciliations", a => ("/admin/reconciliations", new { }), Operator, Auditor),
        new("GET", "/admin/reconciliations/{id}", a => ($"/admin/reconciliations/{Guid.NewGuid()}", null), Operator, Auditor),
        new("GET", "/admin/reconciliations", a => ("/admin/reconciliations?limit=1", null), Operator, Auditor),
        new("GET", "/admin/stats", a => ("/admin/stats", null), Operator, Auditor),
        new("GET", "/health/live", a => ("/health/live", null), None, Unknown, Client, Operator, Auditor),
        new("GET", "/health/ready", a => ("/health/ready", null), None, Unknown, Client, Operator, Auditor),
    ];

    private HttpClient ClientFor(string role) => role switch
    {
        None => api.Client(null),
        Unknown => api.Client("not-a-configured-key"),
        Client => api.Client(),
        Operator => api.Operator(),
        Auditor => api.Auditor(),
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private async Task<Accounts> FreshAccountsAsync()
    {
        var funded = await api.Operator().OpenIdAsync(initialBalance: 100);
        var empty = await api.Operator().OpenIdAsync();
        var transfer = (await api.Operator().SubmitAsync("/transfers", ContractHttp.Transfer(funded, empty, 1))).ShouldBe(HttpStatusCode.Created).Json;
        (await api.Operator().SubmitAsync("/withdrawals", ContractHttp.Movement(empty, 1))).ShouldBe(HttpStatusCode.Created);
        await api.WaitForProjectionsAsync();
        return new Accounts(funded, empty, transfer["id"]!.GetValue<Guid>());
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(None)]
    [InlineData(Unknown)]
    [InlineData(Client)]
    [InlineData(Operator)]
    [InlineData(Auditor)]
    public async Task every_endpoint_answers_this_key_exactly_as_the_conventions_say(string role)
    {
        var client = ClientFor(role);
        var accounts = await FreshAccountsAsync();
        var mismatches = new List<string>();

        foreach (var endpoint in Endpoints)
        {
            var (path, body) = endpoint.Call(accounts);
            var response = await ContractHttp.SendAsync(client, new HttpMethod(endpoint.Method), path, body is null ? null : JsonContent.Create(body));
            var (expected, code) = endpoint.AllowedRoles.Contains(role) ? ((HttpStatusCode?)null, (string?)null)
                : role is None or Unknown ? (HttpStatusCode.Unauthorized, "unauthenticated")
                : (HttpStatusCode.Forbidden, "forbidden");
            if (expected is null)
            {
                if (response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (int)response.Status >= 500)
                    mismatches.Add($"{endpoint.Method} {endpoint.Route}: allowed for {role} but got {response}");
            }
            else
            {
                try
                {
                    response.ShouldBeProblem(expected.Value, code!);
                }
                catch (ShouldAssertException)
                {
                    mismatches.Add($"{endpoint.Method} {endpoint.Route}: expected {(int)expected} {code} for {role} but got {response}");
                }
            }
        }

        mismatches.ShouldBeEmpty(string.Join("\n", mismatches));
    }

    [Fact]
    public async Task a_refused_key_writes_nothing()
    {
        var accounts = await FreshAccountsAsync();
        var events = await api.EventCountAsync();

        (await api.Auditor().SubmitAsync("/transfers", ContractHttp.Transfer(accounts.Funded, accounts.Empty, 1))).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Auditor().SubmitAsync("/deposits", ContractHttp.Movement(accounts.Funded, 1))).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Client(null).SubmitAsync("/withdrawals", ContractHttp.Movement(accounts.Funded, 1))).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        (await api.Client("wrong").SubmitAsync("/accounts", new { currency = "USD" })).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");

        (await api.EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task authentication_comes_before_validation()
    {
        (await api.Client(null).PostRawJsonAsync("/transfers", "{ not json")).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        (await api.Auditor().PostRawJsonAsync("/transfers", "{ not json")).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task a_key_differing_only_in_case_is_unknown() =>
        (await api.Client(LedgerApiFactory.ClientKey.ToUpperInvariant()).FetchAsync($"/transfers/{Guid.NewGuid()}"))
            .ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");

    [Fact]
    public async Task an_unknown_route_is_a_404_problem() =>
        (await api.Operator().FetchAsync("/no/such/route")).ShouldBeProblem(HttpStatusCode.NotFound, "not_found");
}
