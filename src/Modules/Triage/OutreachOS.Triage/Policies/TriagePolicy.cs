using OutreachOS.Triage.Contracts;

namespace OutreachOS.Triage.Policies;

/// <summary>Per-intent routing settings.</summary>
internal sealed record IntentPolicy(bool AutoSend, double MinConfidence, string? Owner, bool DryRun);

/// <summary>Sender lists: entries are full addresses (<c>ceo@acme.com</c>) or domains (<c>acme.com</c>, subdomains included).</summary>
internal sealed record SenderLists(IReadOnlyList<string> Allow, IReadOnlyList<string> Block);

/// <summary>
/// A rule for one sender domain (and its subdomains): its owner, and the most automatic path its mail may take. When
/// several match, the most specific (longest) domain wins, whatever the order of the list.
/// </summary>
internal sealed record DomainRule(string Domain, string? Owner, ResponsePath? MaxPath);

internal sealed record PiiPolicy(bool RedactBeforeLlm);

/// <summary>
/// An organization's triage policy (JSON, snake_case). Hard safety rules (injection, VIP, legal, PII-sensitive,
/// dry-run) live in <see cref="Routing.Router"/> and cannot be relaxed here.
/// </summary>
internal sealed record TriagePolicy(
    IReadOnlyList<string> AllowedIntents,
    SenderLists Senders,
    IReadOnlyList<DomainRule> DomainRules,
    IReadOnlyList<string> VipSenders,
    IReadOnlyDictionary<string, IntentPolicy> Intents,
    IReadOnlyDictionary<string, int> SlaMinutes,
    PiiPolicy Pii,
    bool DryRun,
    double HumanBelowConfidence,
    string DefaultOwner)
{
    public static readonly IReadOnlyList<string> DefaultIntents =
        ["scheduling", "pricing", "support", "billing", "referral_partner", "complaint", "unsubscribe", "outreach_reply", "other"];

    public static readonly IReadOnlyList<string> Urgencies = ["low", "normal", "high", "critical"];

    public const double DefaultMinConfidence = 0.75;

    /// <summary>Nothing is auto-sent until an organization opts in per intent.</summary>
    public static TriagePolicy Default { get; } = new(
        DefaultIntents,
        new SenderLists([], []),
        [],
        [],
        new Dictionary<string, IntentPolicy>(StringComparer.Ordinal)
        {
            ["scheduling"] = new(false, DefaultMinConfidence, "sales", false),
            ["pricing"] = new(false, DefaultMinConfidence, "sales", false),
            ["support"] = new(false, DefaultMinConfidence, "support", false),
            ["billing"] = new(false, DefaultMinConfidence, "billing", false),
            ["referral_partner"] = new(false, DefaultMinConfidence, "partnerships", false),
            ["complaint"] = new(false, DefaultMinConfidence, "support-escalations", false),
            ["unsubscribe"] = new(false, DefaultMinConfidence, "ops", false),
            ["outreach_reply"] = new(false, DefaultMinConfidence, "sales", false),
            ["other"] = new(false, DefaultMinConfidence, "triage", false),
        },
        new Dictionary<string, int>(StringComparer.Ordinal) { ["low"] = 2880, ["normal"] = 480, ["high"] = 120, ["critical"] = 30 },
        new PiiPolicy(true),
        DryRun: false,
        HumanBelowConfidence: 0.35,
        DefaultOwner: "triage");

    public IntentPolicy For(string intent) =>
        Intents.TryGetValue(intent, out var p) ? p : new IntentPolicy(false, DefaultMinConfidence, null, false);

    public string OwnerFor(string intent) => For(intent).Owner ?? DefaultOwner;
}

/// <summary>Sender address matching shared by the pre-filter, the VIP flag and domain rules.</summary>
internal static class SenderMatch
{
    public static string Domain(string email)
    {
        var at = email.LastIndexOf('@');
        return at < 0 ? "" : email[(at + 1)..].Trim().ToLowerInvariant();
    }

    /// <summary>An entry with '@' matches that address; otherwise it is a domain and matches it and its subdomains.</summary>
    public static bool Matches(string entry, string email)
    {
        var e = entry.Trim().ToLowerInvariant();
        var address = email.Trim().ToLowerInvariant();
        if (e.Length == 0)
        {
            return false;
        }
        if (e.Contains('@', StringComparison.Ordinal))
        {
            return e.StartsWith('@') ? DomainMatches(e[1..], Domain(address)) : e == address;
        }
        return DomainMatches(e, Domain(address));
    }

    public static bool Any(IEnumerable<string> entries, string email) => entries.Any(e => Matches(e, email));

    private static bool DomainMatches(string domain, string actual) =>
        actual == domain || actual.EndsWith("." + domain, StringComparison.Ordinal);
}
