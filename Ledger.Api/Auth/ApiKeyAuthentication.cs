using System.Security.Claims;
using System.Text.Encodings.Web;
using Ledger.Api.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ledger.Api.Auth;

/// <summary>The <c>X-Api-Key</c> scheme: the key's configured name becomes the user name, its role the role claim.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || string.IsNullOrEmpty(values.ToString()))
            return Task.FromResult(AuthenticateResult.NoResult());
        var identity = keys.Find(values.ToString());
        if (identity is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, identity.Name), new Claim(ClaimTypes.Role, identity.Role)], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Of(StatusCodes.Status401Unauthorized, "unauthenticated", $"Send a valid API key in the {Header} header.")
            .ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Of(StatusCodes.Status403Forbidden, "forbidden", "This API key's role may not call this endpoint.")
            .ExecuteAsync(Context);
}

/// <summary>Who may call what, as named policies on endpoint groups (see the README's role table).</summary>
public static class Policies
{
    /// <summary>Move money and open accounts.</summary>
    public const string Write = "write";
    /// <summary>Read one account, its history, a transfer.</summary>
    public const string Read = "read";
    /// <summary>Freeze, close, admin writes.</summary>
    public const string Operate = "operate";
    /// <summary>Listings, audit, admin reads, reconciliations.</summary>
    public const string Inspect = "inspect";

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        options.AddPolicy(Write, p => p.RequireRole(Roles.Client, Roles.Operator));
        options.AddPolicy(Read, p => p.RequireRole(Roles.Client, Roles.Operator, Roles.Auditor));
        options.AddPolicy(Operate, p => p.RequireRole(Roles.Operator));
        options.AddPolicy(Inspect, p => p.RequireRole(Roles.Operator, Roles.Auditor));
    }

    public static string ActorName(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("An authorized request has no key name.");
}
