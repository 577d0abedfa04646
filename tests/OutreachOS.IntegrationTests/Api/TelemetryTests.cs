using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace OutreachOS.IntegrationTests.Api;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Traces_and_metrics_are_exported_over_otlp_when_the_endpoint_is_set()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, long Bytes)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms);
            received.Enqueue(("/" + http.Request.RouteValues["path"], http.Request.ContentType ?? "", ms.Length));
            return Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Urls.First();

        await using (var app = await OutreachApp.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_SERVICE_NAME"] = "outreachos-test",
        }))
        {
            var client = app.ClientWithKey();
            for (var i = 0; i < 3; i++)
            {
                await client.GetAsync("/organizations/me");
            }
        } // disposing the host flushes both providers

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !(received.Any(r => r.Path == "/v1/traces") && received.Any(r => r.Path == "/v1/metrics")))
        {
            await Task.Delay(100);
        }
        Assert.Contains(received, r => r.Path == "/v1/traces" && r.ContentType == "application/x-protobuf" && r.Bytes > 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics" && r.Bytes > 0);
    }
}
