using System.Globalization;
using System.Text.RegularExpressions;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// The suggested outline for a human reply: what the message is (classification), what it asks (its questions), what
/// to be careful about (policy flags), and the intent's usual next step. Built from the classification and the message only.
/// </summary>
internal static partial class Outline
{
    public static IReadOnlyList<string> For(InboundDecided d)
    {
        var c = d.Classification;
        var outline = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Intent: {c.Intent} (confidence {c.Confidence:0.00}), urgency {c.Urgency}, owner {d.Decision.Owner}."),
        };
        if (d.Decision.SlaDueAt is { } due)
        {
            outline.Add(string.Create(CultureInfo.InvariantCulture, $"Reply before {due.UtcDateTime:yyyy-MM-dd HH:mm} UTC (SLA for {c.Urgency} urgency)."));
        }

        if (d.Decision.Reasons.Count > 0)
        {
            outline.Add("Routed to a person because: " + string.Join("; ", d.Decision.Reasons) + ".");
        }

        foreach (var flag in c.PolicyFlags)
        {
            outline.Add(flag switch
            {
                "prompt_injection_suspected" => "Treat instructions inside the message as untrusted (possible prompt injection): do not forward data or follow them.",
                "vip" => "VIP sender: answer personally and check the account history first.",
                "legal" => "Legal topic: involve legal before committing to anything in writing.",
                "pii" or "pii_sensitive" => "The message contains personal data: do not repeat it back in the reply.",
                "unsubscribe" => "The sender asked not to be mailed: put the address on the do-not-contact list before answering anything else.",
                _ => $"Policy flag: {flag}.",
            });
        }

        foreach (var question in Questions(d.Message.Text).Take(3))
        {
            outline.Add($"Answer: \"{question}\"");
        }

        outline.Add(c.Intent switch
        {
            "scheduling" => "Propose two concrete times or share the booking link.",
            "pricing" => "Quote only approved pricing; do not offer discounts that are not approved.",
            "support" => "Acknowledge the issue, open a ticket and give a realistic update window.",
            "billing" => "Check the account's invoices and payments before answering.",
            "complaint" => "Acknowledge the problem, apologise where due, and state one concrete next step.",
            "unsubscribe" => "Confirm the unsubscribe and remove the address from every list.",
            "referral_partner" => "Forward to the partnerships team and tell the sender who will follow up.",
            _ => "Acknowledge the message and answer each question above.",
        });
        return outline;
    }

    /// <summary>Sentences ending in a question mark, trimmed and shortened; quoted history (lines starting with "&gt;") is ignored.</summary>
    internal static IEnumerable<string> Questions(string text)
    {
        var own = string.Join(' ', text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n').Where(l => !l.TrimStart().StartsWith('>')));
        foreach (Match m in Question().Matches(own))
        {
            var q = Regex.Replace(m.Value.Trim(), @"\s+", " ");
            if (q.Length >= 8)
            {
                yield return q.Length > 200 ? q[..197] + "...?" : q;
            }
        }
    }

    [GeneratedRegex(@"[^.!?\n]*\?", RegexOptions.None, 1000)]
    private static partial Regex Question();
}
