using Ledger.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.Hosting;

/// <summary>The body of 202 to <c>POST /admin/projections/{name}/rebuild</c>, as the document shows it.</summary>
public sealed record RebuildAccepted(Guid JobId);

/// <summary>
/// What the generated document adds to the routes' own metadata, so that linters and client generators
/// accept it: a title and description, the tags with their descriptions, the <c>ApiKey</c> security
/// scheme on every operation that needs a key (and the roles that may call it in its description), a
/// server URL without a trailing slash, and <c>GET /metrics</c>, which the Prometheus exporter maps
/// outside the route handlers the document is built from.
/// </summary>
public static class OpenApiDocument
{
    public const string SecurityScheme = "ApiKey";

    public static class Tags
    {
        public const string Accounts = "Accounts";
        public const string Transfers = "Transfers";
        public const string Audit = "Audit";
        public const string Operations = "Operations";
        public const string Health = "Health";
    }

    private static readonly (string Name, string Description)[] TagDescriptions =
    [
        (Tags.Accounts, "Open, read, list, freeze, unfreeze and close accounts; balances (also as of an instant) and transaction history."),
        (Tags.Transfers, "Move money: double-entry transfers, batches, deposits and withdrawals, each idempotent by its id."),
        (Tags.Audit, "The hash-chained audit trail of every accepted or rejected write, and its verification."),
        (Tags.Operations, "Projections and their rebuilds, jobs, reconciliations and metrics, for operators and auditors."),
        (Tags.Health, "Liveness and readiness probes; they need no key."),
    ];

    /// <summary>
    /// The members a request must have, as the contract says. The request records make every member
    /// nullable so that the validators, not the deserializer, report what is missing; the generator
    /// would otherwise call every constructor parameter required.
    /// </summary>
    private static readonly Dictionary<Type, string[]> RequiredMembers = new()
    {
        [typeof(Accounts.OpenAccountRequest)] = ["currency"],
        [typeof(Transfers.TransferRequest)] = ["fromAccountId", "toAccountId", "amount", "currency"],
        [typeof(Transfers.MovementRequest)] = ["accountId", "amount", "currency"],
        [typeof(Transfers.TransferBatchRequest)] = ["transfers"],
        [typeof(Admin.ReconciliationRequest)] = [],
    };

    public static void AddLedgerOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(SecureAsync);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            Refine(schema, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });
    });

    private static void Refine(OpenApiSchema schema, Type type)
    {
        if (RequiredMembers.TryGetValue(type, out var required)) schema.Required = new HashSet<string>(required);
        // UtcTimestampConverter hides the type from the generator, which then writes only the format.
        if (schema.Format == "date-time" && schema.Type is null) schema.Type = JsonSchemaType.String;
    }

    /// <summary>operationId, summary and tag of one route; the roles come from its policy (<see cref="SecureAsync"/>).</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string operationId, string summary, string tag) =>
        route.WithName(operationId).WithSummary(summary).WithTags(tag);

    private static void Describe(Microsoft.OpenApi.OpenApiDocument document)
    {
        document.Info.Title = "Ledger API";
        document.Info.Version = "v1";
        document.Info.Description = "An event-sourced double-entry ledger. Amounts are integers in minor units; errors are "
            + "RFC 9457 problem+json with a machine-readable `code`. Send the API key in the `X-Api-Key` header.";
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthentication.Header,
            Description = "An API key configured in LEDGER_API_KEYS; its role (client, operator, auditor) decides what it may call.",
        };
        document.Paths.Add("/metrics", Metrics(document));
    }

    /// <summary>Names the roles an operation's policy admits in its description and requires the API key.</summary>
    private static async Task SecureAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        if (policy is null || metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Description = Join("Needs no API key.", operation.Description);
            // One empty requirement, `security: [{}]`: tools read it as "anonymous", where no list at all means "unknown".
            operation.Security = [new OpenApiSecurityRequirement()];
            return;
        }
        var provider = context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>();
        var roles = (await provider.GetPolicyAsync(policy))?.Requirements
            .OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()
            .SelectMany(r => r.AllowedRoles) ?? [];
        operation.Description = Join($"Needs an API key with the role {Either(roles.ToList())} (policy `{policy}`).", operation.Description);
        operation.Security = [Requirement(context.Document)];
    }

    private static OpenApiSecurityRequirement Requirement(Microsoft.OpenApi.OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [] };

    private static string Either(List<string> roles) =>
        roles.Count < 2 ? string.Concat(roles) : string.Join(", ", roles[..^1]) + " or " + roles[^1];

    private static string Join(string first, string? rest) => string.IsNullOrEmpty(rest) ? first : first + " " + rest;

    private static OpenApiPathItem Metrics(Microsoft.OpenApi.OpenApiDocument document)
    {
        var problem = new OpenApiMediaType { Schema = new OpenApiSchemaReference("ProblemDetails", document) };
        OpenApiResponse Problem(string description) => new() { Description = description, Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = problem } };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "getMetrics",
                    Summary = "Metrics in Prometheus text format",
                    Description = "Needs an API key with the role operator or auditor (policy `inspect`). The ledger's instruments and ASP.NET Core's hosting meter, for operators without a collector.",
                    Tags = new HashSet<OpenApiTagReference> { new(Tags.Operations, document) },
                    Security = [Requirement(document)],
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "OK",
                            Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                        },
                        ["401"] = Problem("Unauthorized"),
                        ["403"] = Problem("Forbidden"),
                    },
                },
            },
        };
    }
}
