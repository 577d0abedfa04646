using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// OpenTelemetry wired by hand (the hosting and ASP.NET Core instrumentation packages are not in the registry here, ADR 0007):
/// ASP.NET Core, Kestrel, Npgsql, MassTransit and OutreachOS all publish ActivitySources and Meters; we listen to them and
/// export over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
internal static class Telemetry
{
    public static readonly string[] Sources =
    [
        "Microsoft.AspNetCore", "Npgsql", "MassTransit", "OutreachOS.*",
    ];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "System.Net.Http", "Npgsql", "MassTransit", "OutreachOS.*",
    ];

    public static void AddOutreachTelemetry(this WebApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? "outreachos";
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString());
        var protocol = string.Equals(builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"], "grpc", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.Grpc
            : OtlpExportProtocol.HttpProtobuf;

        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(Sources)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = Signal(endpoint, "v1/traces", protocol);
            })
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(Meters)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = Signal(endpoint, "v1/metrics", protocol);
            })
            .Build();
        // Instances registered directly are never disposed by the container: a hosted service flushes them at shutdown.
        builder.Services.AddHostedService(_ => new TelemetryProviders(tracer, meter));
    }

    // With HTTP/protobuf the exporter wants the full signal URL; the env var names the collector's base URL.
    private static Uri Signal(string endpoint, string path, OtlpExportProtocol protocol) =>
        protocol == OtlpExportProtocol.Grpc ? new Uri(endpoint) : new Uri(endpoint.TrimEnd('/') + "/" + path);
}

/// <summary>Owns the providers: flushes and disposes them when the host stops, so the last spans and metrics are exported.</summary>
internal sealed class TelemetryProviders(TracerProvider tracer, MeterProvider meter) : IHostedService, IDisposable
{
    private int _disposed;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            tracer.ForceFlush(5000);
            meter.ForceFlush(5000);
            tracer.Dispose();
            meter.Dispose();
        }
    }
}
