using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>A Slack incoming-webhook stand-in on 127.0.0.1 (ephemeral port): answers "ok" and records every body.</summary>
internal sealed class WebhookStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _bodies = new();

    private WebhookStub()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            _bodies.Enqueue(await reader.ReadToEndAsync());
            await http.Response.WriteAsync("ok");
        });
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<string> Bodies => [.. _bodies];

    public static async Task<WebhookStub> StartAsync(string path = "/services/T000/B000/XXXX")
    {
        var stub = new WebhookStub();
        await stub._app.StartAsync();
        stub.Url = new Uri(new Uri(stub._app.Urls.Single()), path);
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
