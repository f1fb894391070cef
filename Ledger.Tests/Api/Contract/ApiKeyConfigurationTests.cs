using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Api.Contract;

/// <summary>LEDGER_API_KEYS: <c>key:role</c> or <c>key:role:name</c>; the default name is the role, a dash and 8 hex digits of the key's SHA-256.</summary>
public sealed class ApiKeyConfigurationTests(ApiKeyConfigurationTests.KeysWithAndWithoutNames api)
    : IAsyncLifetime, IClassFixture<ApiKeyConfigurationTests.KeysWithAndWithoutNames>
{
    public const string UnnamedClientKey = "k-cl-unnamed";
    public const string NamedAuditorKey = "k-au-named";

    /// <summary>One client key without a name and one auditor key named "compliance".</summary>
    public sealed class KeysWithAndWithoutNames : LedgerApiFactory
    {
        public KeysWithAndWithoutNames() => Settings["LEDGER_API_KEYS"] = $"{UnnamedClientKey}:client, {NamedAuditorKey}:auditor:compliance";
    }

    /// <summary>No key at all, outside Development.</summary>
    private sealed class WithoutKeys : LedgerApiFactory
    {
        public WithoutKeys() => Settings["LEDGER_API_KEYS"] = "";
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_key_without_a_name_is_audited_as_its_role_and_the_first_8_hex_digits_of_its_sha256()
    {
        var account = await api.Client(UnnamedClientKey).OpenIdAsync();

        var entries = (await api.Client(NamedAuditorKey).FetchAsync($"/audit?accountId={account}")).ShouldBe(HttpStatusCode.OK).Json["items"]!.AsArray();

        var expected = "client-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(UnnamedClientKey)))[..8];
        entries.Single()!["actor"]!.GetValue<string>().ShouldBe(expected);
    }

    [Fact]
    public async Task a_named_key_acts_with_its_role_under_its_name()
    {
        (await api.Client(NamedAuditorKey).SubmitAsync("/accounts", new { currency = "USD" })).ShouldBeProblem(HttpStatusCode.Forbidden, "forbidden");
        (await api.Client(NamedAuditorKey).FetchAsync("/audit/verify")).ShouldBe(HttpStatusCode.OK);

        var rejected = await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.audit_entries WHERE actor = 'compliance'");
        rejected.ShouldBe(0, "a refused role writes nothing, not even an audit entry");
    }

    [Fact]
    public async Task the_factory_default_keys_are_not_configured_here() =>
        (await api.Client(LedgerApiFactory.ClientKey).FetchAsync($"/transfers/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.Unauthorized, "unauthenticated");

    [Fact]
    public async Task the_server_refuses_to_start_without_keys_outside_development()
    {
        var factory = new WithoutKeys();
        try
        {
            // The program returns before it builds a host: the factory reports that, not a database or binding error.
            var refused = await Should.ThrowAsync<InvalidOperationException>(((IAsyncLifetime)factory).InitializeAsync());
            refused.Message.ShouldContain("without ever building");
        }
        finally
        {
            await ((IAsyncLifetime)factory).DisposeAsync();
        }
    }
}

/// <summary>A write queue of one: a burst answers 503 unavailable with Retry-After for what does not fit, never a 500 or a hang.</summary>
public sealed class FullWriteQueueTests(FullWriteQueueTests.TinyQueue api) : IAsyncLifetime, IClassFixture<FullWriteQueueTests.TinyQueue>
{
    public sealed class TinyQueue : LedgerApiFactory
    {
        public TinyQueue()
        {
            Settings["Ledger:Writes:QueueCapacity"] = "1";
            Settings["Ledger:Writes:BatchSizeMax"] = "1";
        }
    }

    /// <summary>After every test, whatever it did: each currency's balances sum to zero and no plain account is overdrawn.</summary>
    public Task DisposeAsync() => api.ShouldKeepEveryCurrencyBalancedAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_burst_beyond_the_queue_is_503_with_retry_after_and_only_accepted_deposits_move_money()
    {
        var account = await api.Client().OpenIdAsync("EUR");

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => api.Client().SubmitAsync("/deposits", ContractHttp.Movement(account, 1, "EUR"))));

        responses.ShouldAllBe(r => r.Status == HttpStatusCode.Created || r.Status == HttpStatusCode.ServiceUnavailable);
        var refused = responses.Where(r => r.Status == HttpStatusCode.ServiceUnavailable).ToList();
        refused.ShouldNotBeEmpty("200 simultaneous writes should overflow a queue of one");
        foreach (var response in refused)
        {
            response.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "unavailable");
            response.Message.Headers.RetryAfter.ShouldNotBeNull(response.ToString());
        }
        (await api.BalanceAsync(account)).ShouldBe(responses.Count(r => r.Status == HttpStatusCode.Created));
        await api.ShouldKeepEveryCurrencyBalancedAsync();
    }
}
