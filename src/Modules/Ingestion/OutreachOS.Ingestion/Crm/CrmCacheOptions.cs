using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OutreachOS.Ingestion.Crm;

/// <summary>
/// <c>Crm:Cache:Enabled</c> (true), <c>Crm:Cache:TtlSeconds</c> (300: a found contact), <c>Crm:Cache:NegativeTtlSeconds</c>
/// (30: "no such contact", kept shorter because a salesperson may create it any minute),
/// <c>Crm:Cache:MaxEntriesPerOrganization</c> (1000).
/// </summary>
internal sealed record CrmCacheOptions(bool Enabled, TimeSpan Ttl, TimeSpan NegativeTtl, int MaxEntriesPerOrganization)
{
    public static CrmCacheOptions Default { get; } = new(true, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), 1000);

    public static CrmCacheOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Crm:Cache");
        var enabled = s["Enabled"] is not { Length: > 0 } e || bool.Parse(e);
        return new CrmCacheOptions(
            enabled,
            TimeSpan.FromSeconds(Int(s, "TtlSeconds", 300, 0, 86_400)),
            TimeSpan.FromSeconds(Int(s, "NegativeTtlSeconds", 30, 0, 86_400)),
            Int(s, "MaxEntriesPerOrganization", 1000, 1, 1_000_000));
    }

    private static int Int(IConfigurationSection s, string key, int fallback, int min, int max)
    {
        if (s[key] is not { Length: > 0 } raw)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new InvalidOperationException($"Crm:Cache:{key} must be an integer from {min} to {max} (got '{raw}').");
    }
}
