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
        "Microsoft.AspNetCore.Diagnostics", "System.Net.Http", "Npgsql", "MassTransit", "OutreachOS.*",
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
        builder.Services.AddSingleton(new TelemetryProviders(tracer, meter));
    }

    // With HTTP/protobuf the exporter wants the full signal URL; the env var names the collector's base URL.
    private static Uri Signal(string endpoint, string path, OtlpExportProtocol protocol) =>
        protocol == OtlpExportProtocol.Grpc ? new Uri(endpoint) : new Uri(endpoint.TrimEnd('/') + "/" + path);
}

/// <summary>Owns the providers so that the container flushes and disposes them at shutdown.</summary>
internal sealed class TelemetryProviders(TracerProvider? tracer, MeterProvider? meter) : IDisposable
{
    public void Dispose()
    {
        tracer?.Dispose();
        meter?.Dispose();
    }
}
