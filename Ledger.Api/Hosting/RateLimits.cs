using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Api.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Ledger.Api.Hosting;

/// <summary>A token bucket per API key (by its configured name), from ASP.NET Core's built-in rate limiter.</summary>
public static class RateLimits
{
    public sealed class Options
    {
        public bool Enabled { get; set; } = true;
        public int TokensPerSecond { get; set; } = 2000;
        public int BurstTokens { get; set; } = 4000;
    }

    public static void AddLedgerRateLimits(this IServiceCollection services, Options options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                !options.Enabled || http.User.Identity?.Name is not { } key
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.BurstTokens,
                        TokensPerPeriod = options.TokensPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                await Problems.Of(StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"Too many requests for this API key; retry after {Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s.",
                    retryAfter: retryAfter).ExecuteAsync(context.HttpContext);
            };
        });
    }
}
