using Microsoft.Extensions.FileProviders;

namespace Ledger.Api.Hosting;

/// <summary>
/// Serves the operator console (the built files of <c>console/</c>) at <c>/console</c>. The files are public;
/// the data they show comes from the API routes, behind the key. The console renders strings that clients
/// wrote (names, references, audit details), so its responses forbid every script but its own files: a
/// stored string that slipped into the markup still could not run or send the key anywhere.
/// </summary>
public static class ConsoleHosting
{
    public const string RequestPath = "/console";

    public const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>The built console: <c>Ledger:Console:Root</c>, else the <c>console</c> folder the build copies beside the binary.</summary>
    public static string Root(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Ledger:Console:Root"] is { Length: > 0 } root ? root : Path.Combine(AppContext.BaseDirectory, "console"));

    public static void UseLedgerConsole(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(RequestPath)) http.Response.OnStarting(() => Secure(http.Response));
            return next(http);
        });
        var root = Root(app.Configuration);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            // A checkout whose console was never built still serves the API; /console says what is missing.
            app.Map(RequestPath, branch => branch.Run(http => Http.Problems.Of(StatusCodes.Status404NotFound, "not_found",
                "The console is not built: run `npm ci && npm run build` in console/ (ops/run.sh does), then restart.").ExecuteAsync(http)));
            return;
        }
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = RequestPath });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = RequestPath,
            // Vite names every asset after its content, so an asset never changes; the page that names them must be fetched anew.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                file.Context.Request.Path.StartsWithSegments(RequestPath + "/assets") ? "public, max-age=31536000, immutable" : "no-cache",
        });
    }

    private static Task Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return Task.CompletedTask;
    }
}
