namespace OutreachOS.Triage.Responses;

/// <summary>
/// Placeholders such as <c>[EMAIL_1]</c> stand for PII everywhere except in the mail the customer receives.
/// <see cref="Restore"/> puts the values back (final text only); <see cref="Redact"/> replaces values by their
/// placeholders (exports), whichever form the text arrived in.
/// </summary>
internal static class Redactions
{
    public static string Restore(string text, IReadOnlyDictionary<string, string>? redactions)
    {
        if (redactions is null || redactions.Count == 0 || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var (placeholder, value) in redactions.OrderByDescending(kv => kv.Key.Length))
        {
            if (placeholder.Length > 0)
            {
                text = text.Replace(placeholder, value, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public static string Redact(string text, IReadOnlyDictionary<string, string>? redactions)
    {
        if (redactions is null || redactions.Count == 0 || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var (placeholder, value) in redactions.OrderByDescending(kv => kv.Value.Length))
        {
            if (value.Length > 0)
            {
                text = text.Replace(value, placeholder, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
