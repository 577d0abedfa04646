using Microsoft.Extensions.Configuration;
using OutreachOS.Triage.Templates;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// Configuration of the response paths: <c>Triage:Responses:Values:*</c> (approved template values used when an
/// organization set none), <c>Triage:Responses:Paraphrase:Enabled</c> (off by default) and <c>:Model</c>,
/// <c>Triage:Qa:SampleRate</c> (share of auto-sent replies sampled for QA, 0..1, default 0.1).
/// </summary>
internal sealed record ResponseOptions(TemplateValues Values, bool ParaphraseEnabled, string? ParaphraseModel, double QaSampleRate)
{
    public static ResponseOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Triage:Responses");
        var v = s.GetSection("Values");
        var values = new TemplateValues(
            NullIfEmpty(v["Signature"]),
            List(v.GetSection("Slots")),
            NullIfEmpty(v["BookingLink"]),
            List(v.GetSection("PricingParagraphs")),
            NullIfEmpty(v["EtaWindow"]),
            List(v.GetSection("DocLinks")),
            NullIfEmpty(v["PartnerAlias"])).Over(DefaultTemplates.Values);
        var rate = configuration.GetValue("Triage:Qa:SampleRate", 0.1);
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw new InvalidOperationException("Triage:Qa:SampleRate must be between 0 and 1.");
        }

        return new ResponseOptions(values, s.GetValue("Paraphrase:Enabled", false), NullIfEmpty(s["Paraphrase:Model"]), rate);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string[]? List(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value).Where(x => !string.IsNullOrWhiteSpace(x)).Select(x => x!).ToArray();
        return items.Length == 0 ? null : items;
    }
}
