using System.Globalization;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Policies;

namespace OutreachOS.Triage.Routing;

/// <param name="ClassifiedIntent">
/// The classifier's intent before the policy's list was applied: a complaint or opt-out the organization does not list is
/// routed as <c>other</c> but its hard rule still applies.
/// </param>
internal sealed record RouteInput(
    Guid DecisionId,
    InboundClassification Classification,
    string SenderEmail,
    TriagePolicy Policy,
    int PolicyVersion,
    DateTimeOffset ReceivedAt,
    string? ClassifiedIntent = null);

/// <summary>
/// The policy router: pure (ids and time come in). Hard rules are checked in code after the policy and cannot be
/// relaxed by it (neither by its per-intent settings nor by its list of intents): prompt injection, VIP, legal, PII-sensitive,
/// refund and cancellation messages are never auto-sent; complaints, opt-out requests, critical urgency, changes to payment
/// details or account access, security reports and hostile wording go to a human; dry-run
/// decisions carry <c>dry_run = true</c> and are never sent.
/// </summary>
internal static class Router
{
    public static RoutingDecision Decide(RouteInput input)
    {
        var c = input.Classification;
        var policy = input.Policy;
        var intentPolicy = policy.For(c.Intent);
        // The most specific rule wins (legal.acme.com over acme.com), whatever their order: matching rules are suffixes of
        // the sender's domain on label boundaries, so the longest is the most specific. Equal length: the first listed.
        var domainRule = policy.DomainRules.Where(r => SenderMatch.Matches(r.Domain, input.SenderEmail)).MaxBy(r => r.Domain.Length);
        var reasons = new List<string>();
        var flags = c.PolicyFlags.ToHashSet(StringComparer.Ordinal);

        // 1. What the policy would allow.
        ResponsePath path;
        if (c.Confidence < policy.HumanBelowConfidence)
        {
            path = ResponsePath.Human;
            reasons.Add($"confidence {F(c.Confidence)} below human_below_confidence {F(policy.HumanBelowConfidence)}");
        }
        else if (!intentPolicy.AutoSend)
        {
            path = ResponsePath.DraftForReview;
            reasons.Add($"auto_send is off for intent {c.Intent}");
        }
        else if (c.Confidence < intentPolicy.MinConfidence)
        {
            path = ResponsePath.DraftForReview;
            reasons.Add($"confidence {F(c.Confidence)} below min_confidence {F(intentPolicy.MinConfidence)} for intent {c.Intent}");
        }
        else
        {
            path = ResponsePath.AutoSend;
            reasons.Add($"auto_send is on for intent {c.Intent} and confidence {F(c.Confidence)} >= {F(intentPolicy.MinConfidence)}");
        }
        if (domainRule?.MaxPath is { } max && Rank(path) < Rank(max))
        {
            path = max;
            reasons.Add($"domain rule {domainRule.Domain}: at most {Name(max)}");
        }

        // 2. Hard rules (code, not policy).
        if (c.Intent == "complaint" || input.ClassifiedIntent == "complaint")
        {
            path = Cap(path, ResponsePath.Human, "hard rule: complaints go to a human", reasons);
        }
        if (c.Urgency == "critical")
        {
            path = Cap(path, ResponsePath.Human, "hard rule: critical urgency goes to a human", reasons);
        }
        if (c.Intent == "other")
        {
            path = Cap(path, ResponsePath.Human, "hard rule: intent other has no reply template", reasons);
        }
        if (c.Intent == "unsubscribe" || input.ClassifiedIntent == "unsubscribe" || flags.Contains(PolicyFlags.Unsubscribe))
        {
            // Someone who asked not to be mailed gets no automatic mail; a person removes the address and answers the rest.
            path = Cap(path, ResponsePath.Human, "hard rule: opt-out requests go to a human (never an automatic reply)", reasons);
        }
        foreach (var (flag, atMost, reason) in FlagCaps)
        {
            if (flags.Contains(flag))
            {
                path = Cap(path, atMost, reason, reasons);
            }
        }

        var dryRun = policy.DryRun || intentPolicy.DryRun;
        if (dryRun)
        {
            reasons.Add(policy.DryRun ? "dry run (global): nothing is sent" : $"dry run for intent {c.Intent}: nothing is sent");
        }
        var owner = domainRule?.Owner ?? c.Owner;
        DateTimeOffset? due = policy.SlaMinutes.TryGetValue(c.Urgency, out var minutes) ? input.ReceivedAt.AddMinutes(minutes) : null;
        return new RoutingDecision(input.DecisionId, path, reasons, owner, due, input.PolicyVersion, dryRun);
    }

    /// <summary>AUTO_SEND (0) is the most automatic, HUMAN (2) the least.</summary>
    private static int Rank(ResponsePath p) => p switch
    {
        ResponsePath.AutoSend => 0,
        ResponsePath.DraftForReview => 1,
        _ => 2,
    };

    /// <summary>The hard rules that follow from a policy flag, in the order their reasons are recorded.</summary>
    private static readonly (string Flag, ResponsePath AtMost, string Reason)[] FlagCaps =
    [
        (PolicyFlags.PromptInjection, ResponsePath.Human, "hard rule: prompt_injection_suspected is never auto-sent"),
        (PolicyFlags.Legal, ResponsePath.Human, "hard rule: legal matters go to a human"),
        // Invoice fraud and account takeover come as exactly these requests; a person verifies them out of band.
        (PolicyFlags.PaymentOrAccountChange, ResponsePath.Human, "hard rule: changes to payment details or account access go to a human"),
        (PolicyFlags.SecurityReport, ResponsePath.Human, "hard rule: security reports go to a human"),
        (PolicyFlags.HostileTone, ResponsePath.Human, "hard rule: angry or hostile messages go to a human"),
        (PolicyFlags.RefundOrCancellation, ResponsePath.DraftForReview, "hard rule: refunds and cancellations are never auto-sent"),
        (PolicyFlags.Vip, ResponsePath.DraftForReview, "hard rule: VIP senders are never auto-sent"),
        (PolicyFlags.PiiSensitive, ResponsePath.DraftForReview, "hard rule: PII-sensitive messages are never auto-sent"),
        (PolicyFlags.ClassifierFallback, ResponsePath.DraftForReview, "hard rule: the model's answer was rejected, the offline fallback is not auto-sent"),
    ];

    private static ResponsePath Cap(ResponsePath path, ResponsePath atMost, string reason, List<string> reasons)
    {
        // Recorded even when the path is already that cautious: a reviewer should see every hard rule that applied.
        reasons.Add(reason);
        return Rank(path) < Rank(atMost) ? atMost : path;
    }

    private static string Name(ResponsePath p) => p switch
    {
        ResponsePath.AutoSend => "AUTO_SEND",
        ResponsePath.DraftForReview => "DRAFT_FOR_REVIEW",
        _ => "HUMAN",
    };

    private static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
