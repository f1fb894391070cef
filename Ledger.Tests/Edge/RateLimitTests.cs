using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

public sealed class TightlyRateLimitedApi : LedgerApiFactory
{
    public TightlyRateLimitedApi()
    {
        Settings["Ledger:RateLimits:TokensPerSecond"] = "1";
        Settings["Ledger:RateLimits:BurstTokens"] = "3";
    }
}

public sealed class RateLimitTests(TightlyRateLimitedApi api) : IClassFixture<TightlyRateLimitedApi>
{
    [Fact]
    public async Task a_key_past_its_bucket_gets_429_rate_limited_with_retry_after()
    {
        var client = api.Client();
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++) responses.Add(await client.GetAsync($"/transfers/{Guid.NewGuid()}"));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.ShouldNotBeEmpty();
        limited[0].Headers.RetryAfter.ShouldNotBeNull();
        limited[0].Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await limited[0].Content.ReadAsStringAsync()).ShouldContain("\"code\":\"rate_limited\"");
    }

    [Fact]
    public async Task each_key_has_its_own_bucket_and_health_is_never_limited()
    {
        var client = api.Client();
        for (var i = 0; i < 6; i++) await client.GetAsync($"/transfers/{Guid.NewGuid()}");

        (await api.Auditor().GetAsync($"/transfers/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        for (var i = 0; i < 10; i++) (await api.Client(null).GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
