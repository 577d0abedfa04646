using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// Serves the dashboard (the Vite build of web/) at <c>/</c>. It runs before authentication because the SPA's files are
/// public: the API key lives in the browser session and protects the API calls, not the HTML and scripts. Only GET/HEAD
/// requests that matched no endpoint and are outside the API's path prefixes reach it, so every API keeps its own
/// routing, authentication and 404s.
/// </summary>
internal static class DashboardHosting
{
    /// <summary>First segments owned by the API: never answered with the SPA, even when the route does not exist.</summary>
    internal static readonly string[] ApiPrefixes =
    [
        "/personalize", "/graphql", "/drafts", "/inbound", "/credits", "/audit", "/health", "/openapi", "/admin", "/ingest",
        "/policies", "/templates", "/qa", "/feedback", "/contacts", "/outbound", "/slack", "/organizations", "/api-keys",
        "/integrations", "/privacy", "/guardrails", "/suppressions", "/settings",
    ];

    /// <summary>
    /// The Vite build has no inline script or style and calls only its own origin. React's <c>style</c> props are set
    /// through the CSSOM, which <c>style-src</c> does not govern; a <c>&lt;style&gt;</c> element or a <c>style</c> attribute
    /// in HTML would be refused. <c>data:</c> images are allowed for small icons a library may inline.
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    private const string MissingBuildHtml = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>OutreachOS dashboard not built</title></head>
        <body style="font-family:system-ui,sans-serif;max-width:44rem;margin:4rem auto;line-height:1.5">
        <h1>The OutreachOS dashboard is not built</h1>
        <p>The API is running; only the web dashboard's files are missing. Build them with</p>
        <pre style="background:#f3f4f6;padding:1rem;border-radius:6px">cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
        <p>(<code>./scripts/run.sh</code> does this for you), or point the host at a built copy with the
        <code>Dashboard:Path</code> setting (environment variable <code>Dashboard__Path</code>).</p>
        </body></html>
        """;

    public static void UseDashboard(this WebApplication app)
    {
        var root = ResolveRoot(app.Configuration["Dashboard:Path"], app.Environment.ContentRootPath, AppContext.BaseDirectory);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OutreachOS.Dashboard");
        if (root is null)
        {
            logger.LogWarning("Dashboard not built (no index.html under Dashboard:Path, web/dist or wwwroot): '/' explains how to build it");
        }
        else
        {
            logger.LogInformation("Serving the dashboard from {DashboardPath}", root);
        }
        var files = root is null ? null : new PhysicalFileProvider(root);
        var contentTypes = new FileExtensionContentTypeProvider();

        app.Use(async (context, next) =>
        {
            if (!IsDashboardRequest(context.Request.Method, context.Request.Path, context.GetEndpoint() is not null))
            {
                await next(context);
                return;
            }
            var path = context.Request.Path.Value ?? "/";
            if (files is null)
            {
                if (path == "/" || !Path.HasExtension(path))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await context.Response.WriteAsync(MissingBuildHtml, context.RequestAborted);
                    return;
                }
                await next(context);
                return;
            }
            var file = path == "/" ? null : files.GetFileInfo(path);
            if (file is { Exists: true, IsDirectory: false })
            {
                // Vite fingerprints everything under /assets: those can be cached for good; the rest is revalidated.
                var immutable = path.StartsWith("/assets/", StringComparison.Ordinal);
                await SendAsync(context, file, contentTypes, immutable);
                return;
            }
            if (Path.HasExtension(path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound; // a missing asset, not a client route
                return;
            }
            // Client-side routes (/playground, /approvals, ...) all load the app shell.
            await SendAsync(context, files.GetFileInfo("index.html"), contentTypes, immutable: false);
        });
    }

    /// <summary>True for GET/HEAD requests that matched no endpoint and lie outside the API's prefixes.</summary>
    internal static bool IsDashboardRequest(string method, PathString path, bool matchedEndpoint)
    {
        if (matchedEndpoint || !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
        {
            return false;
        }
        foreach (var prefix in ApiPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The configured folder when set, else web/dist under the content root (a checkout), else wwwroot beside the dll (the image).</summary>
    internal static string? ResolveRoot(string? configured, string contentRoot, string baseDirectory)
    {
        string[] candidates = string.IsNullOrWhiteSpace(configured)
            ? [Path.Combine(contentRoot, "web", "dist"), Path.Combine(baseDirectory, "wwwroot")]
            : [Path.GetFullPath(configured, contentRoot)];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "index.html")));
    }

    private static async Task SendAsync(HttpContext context, IFileInfo file, FileExtensionContentTypeProvider types, bool immutable)
    {
        if (!file.Exists)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = types.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream";
        context.Response.ContentLength = file.Length;
        context.Response.Headers[HeaderNames.CacheControl] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        // The dashboard holds an API key in session storage: no other site may frame it (clickjacking), no page of it
        // leaks its address to links it follows, and it runs, styles and calls only what the host serves (ADR 0015).
        context.Response.Headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        context.Response.Headers[HeaderNames.XFrameOptions] = "DENY";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        await context.Response.SendFileAsync(file, context.RequestAborted);
    }
}
