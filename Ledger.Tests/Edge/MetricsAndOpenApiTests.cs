using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

public sealed class MetricsAndOpenApiTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task the_metrics_endpoint_exposes_ledger_instruments_in_prometheus_text()
    {
        var client = api.Client();
        var a = await client.OpenAccountAsync(initialBalance: 100);
        var b = await client.OpenAccountAsync();
        await client.TransferAsync(a, b, 10);
        await client.PostJsonAsync("/transfers", new { fromAccountId = a, toAccountId = b, amount = 10_000, currency = "USD" });

        var response = await api.Auditor().GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldContain("# TYPE ledger_transfers_committed_total counter");
        text.ShouldContain("ledger_transfers_committed_total{kind=\"transfer\"}");
        text.ShouldContain("ledger_transfers_rejected_total{code=\"insufficient_funds\",kind=\"transfer\"}");
        text.ShouldContain("ledger_write_duration_ms_bucket{le=\"+Inf\"}");
        text.ShouldContain("ledger_write_batch_size_count");
        text.ShouldContain("ledger_write_queue_depth");
        text.ShouldContain("# TYPE ledger_projection_lag_ms gauge");
        text.ShouldNotContain("otel_scope_name");
        var committed = text.Split('\n').Single(l => l.StartsWith("ledger_transfers_committed_total{kind=\"transfer\"}", StringComparison.Ordinal));
        long.Parse(committed.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task the_metrics_endpoint_needs_an_operator_or_auditor_key()
    {
        (await api.Client(null).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task the_openapi_document_describes_every_route_with_its_problems()
    {
        var (status, document) = await api.Client(null).GetJsonAsync("/openapi/v1.json");

        status.ShouldBe(HttpStatusCode.OK);
        var paths = document!["paths"]!.AsObject();
        foreach (var path in new[] { "/accounts", "/accounts/{id}", "/accounts/{id}/balance", "/accounts/{id}/transactions", "/transfers",
                     "/transfers/batch", "/transfers/{id}", "/deposits", "/withdrawals", "/accounts/{id}/freeze", "/accounts/{id}/unfreeze",
                     "/accounts/{id}/close", "/audit", "/audit/verify", "/admin/projections", "/admin/stats", "/admin/reconciliations", "/health/live", "/health/ready" })
            paths.ContainsKey(path).ShouldBeTrue(path);
        var post = paths["/transfers"]!["post"]!;
        post["requestBody"]!["content"]!["application/json"].ShouldNotBeNull();
        var responses = post["responses"]!.AsObject();
        foreach (var code in new[] { "201", "400", "401", "403", "409", "422", "503" }) responses.ContainsKey(code).ShouldBeTrue(code);
    }

    [Fact]
    public async Task every_operation_has_an_id_a_summary_a_described_tag_problems_and_the_key_it_needs()
    {
        var (_, document) = await api.Client(null).GetJsonAsync("/openapi/v1.json");

        document!["servers"]!.AsArray().ShouldAllBe(s => !s!["url"]!.GetValue<string>().EndsWith('/'));
        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        (scheme["type"]!.GetValue<string>(), scheme["in"]!.GetValue<string>(), scheme["name"]!.GetValue<string>()).ShouldBe(("apiKey", "header", "X-Api-Key"));
        var tags = document["tags"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["description"]?.GetValue<string>());
        tags.Values.ShouldAllBe(d => !string.IsNullOrWhiteSpace(d));
        var ids = new HashSet<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, node) in item!.AsObject())
        {
            var operation = node!.AsObject();
            var name = $"{method} {path}";
            ids.Add(operation["operationId"]!.GetValue<string>()).ShouldBeTrue($"{name}: unique operationId");
            operation["summary"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(name);
            operation["tags"]!.AsArray().ShouldAllBe(t => tags.ContainsKey(t!.GetValue<string>()), name);
            var description = operation["description"]!.GetValue<string>();
            var keyed = operation["security"]!.AsArray().Any(r => r!.AsObject().ContainsKey("ApiKey"));
            keyed.ShouldBe(!path.StartsWith("/health/", StringComparison.Ordinal), name);
            if (!keyed) continue;
            description.ShouldStartWith("Needs an API key with the role ", Case.Sensitive, name);
            var responses = operation["responses"]!.AsObject();
            foreach (var code in new[] { "401", "403" }) responses.ContainsKey(code).ShouldBeTrue($"{name}: {code}");
        }
        ids.ShouldContain("openAccount");
        document["paths"]!["/metrics"]!["get"]!["description"]!.GetValue<string>().ShouldContain("operator or auditor");
    }

    [Fact]
    public async Task the_api_reference_page_is_served_without_a_key_and_reads_the_live_document()
    {
        var response = await api.Client(null).GetAsync("/docs/");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var page = await response.Content.ReadAsStringAsync();
        page.ShouldContain("openapi/v1.json");
        (await api.Client(null).GetAsync("/docs/scalar.js")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
