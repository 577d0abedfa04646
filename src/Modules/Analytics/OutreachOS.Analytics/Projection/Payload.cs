using System.Globalization;
using System.Text.Json;

namespace OutreachOS.Analytics.Projection;

/// <summary>
/// Reads fields of a stored payload (snake_case JSON) without the owning module's CLR types: Analytics depends on event
/// names and payload shapes only (the catalogue in ADR 0014), never on another module's implementation.
/// </summary>
internal readonly struct Payload(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public Payload? Object(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? new Payload(v) : null;

    public string? String(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public bool Bool(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public int Int(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

    public decimal Decimal(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) ? d : 0m;

    public double? Double(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    public int ArrayLength(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : 0;

    public DateTimeOffset? Time(string name) =>
        String(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
