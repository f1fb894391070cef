using System.Net;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Console;

/// <summary>An API whose console root is a folder of its own with a page and an asset, so these tests need no npm build.</summary>
public sealed class ApiWithBuiltConsole : LedgerApiFactory
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ledger-console-").FullName;

    public ApiWithBuiltConsole()
    {
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        File.WriteAllText(Path.Combine(Root, "index.html"), "<!doctype html><title>Ledger console</title><script type=\"module\" src=\"assets/app.js\"></script>");
        File.WriteAllText(Path.Combine(Root, "assets", "app.js"), "export {};");
        Settings["Ledger:Console:Root"] = Root;
    }
}

public sealed class ConsoleHostingTests(ApiWithBuiltConsole api) : IClassFixture<ApiWithBuiltConsole>
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    [Theory]
    [InlineData("/console/")]
    [InlineData("/console/index.html")]
    [InlineData("/console/assets/app.js")]
    public async Task the_console_files_are_served_without_a_key_under_a_strict_content_security_policy(string path)
    {
        var response = await api.Client(null).GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(Policy);
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
    }

    [Fact]
    public async Task the_page_is_revalidated_and_a_content_named_asset_is_cached_for_good()
    {
        var page = await api.Client(null).GetAsync("/console/");
        var asset = await api.Client(null).GetAsync("/console/assets/app.js");

        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        page.Headers.CacheControl!.NoCache.ShouldBeTrue();
        asset.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        asset.Headers.CacheControl!.ToString().ShouldContain("immutable");
    }

    [Fact]
    public async Task a_missing_console_file_is_a_problem_with_the_same_headers()
    {
        var response = await api.Client(null).GetAsync("/console/assets/missing.js");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(Policy);
    }

    [Fact]
    public async Task api_routes_carry_no_console_policy()
    {
        var response = await api.Client(null).GetAsync("/health/live");

        response.Headers.Contains("Content-Security-Policy").ShouldBeFalse();
    }
}

/// <summary>An API pointed at a console folder that was never built.</summary>
public sealed class ApiWithoutBuiltConsole : LedgerApiFactory
{
    public ApiWithoutBuiltConsole() => Settings["Ledger:Console:Root"] = Path.Combine(Path.GetTempPath(), $"ledger-console-absent-{Guid.NewGuid():N}");
}

public sealed class ConsoleNotBuiltTests(ApiWithoutBuiltConsole api) : IClassFixture<ApiWithoutBuiltConsole>
{
    [Fact]
    public async Task an_unbuilt_console_answers_a_problem_that_says_how_to_build_it()
    {
        var (status, body) = await api.Client(null).GetJsonAsync("/console/");

        status.ShouldBe(HttpStatusCode.NotFound);
        body!["detail"]!.GetValue<string>().ShouldContain("npm run build");
    }
}
