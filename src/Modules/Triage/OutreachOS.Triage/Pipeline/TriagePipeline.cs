using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Pii;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Prefilter;
using OutreachOS.Triage.Routing;

namespace OutreachOS.Triage.Pipeline;

/// <summary>What the pipeline knows about the sender beyond the message (policy VIP list or the contact directory).</summary>
internal sealed record SenderInfo(bool Vip, string? VipReason);

/// <summary>
/// The events to append, in order, and the intent the classifier chose before the policy's list was applied (null when the
/// message was filtered): an opt-out the organization does not list is recorded as <c>other</c>, but it is still one.
/// <paramref name="OptOut"/>: the sender asked not to be mailed, so the consumer puts the address on the do-not-contact list
/// (ADR 0031): opt-out wording in the sender's own text, or the classifier's unsubscribe intent at no less than
/// <see cref="TriagePipeline.OptOutMinConfidence"/> (code, not policy: it decides who is never mailed again). A weaker guess
/// still goes to a person (hard rule), who can list the sender.
/// </summary>
internal sealed record TriageRun(IReadOnlyList<object> Events, string? ClassifiedIntent, bool OptOut = false);

/// <summary>
/// pre-filter → (redaction, when an external model classifies and the policy says so) → classify → route. Returns the events
/// to append to the inbound stream, in order; the consumer appends them at the version it read.
/// </summary>
internal sealed class TriagePipeline(TriageClassifier classifier)
{
    public async Task<IReadOnlyList<object>> RunAsync(InboundMessageReceived received, TriagePolicy policy, int policyVersion, SenderInfo sender,
        DateTimeOffset now, CancellationToken ct) =>
        (await TriageAsync(received, policy, policyVersion, sender, now, ct)).Events;

    public async Task<TriageRun> TriageAsync(InboundMessageReceived received, TriagePolicy policy, int policyVersion, SenderInfo sender,
        DateTimeOffset now, CancellationToken ct)
    {
        var m = received.Message;
        if (PreFilter.Evaluate(m, policy) is { } verdict)
        {
            return new TriageRun([new InboundFiltered(received.InboundId, verdict.Category, verdict.Rule, verdict.Detail, now)], null);
        }

        var events = new List<object>();
        var ruleFlags = PolicyFlags.Detect(received, sender.Vip, sender.VipReason);
        var isReply = m.InReplyTo is not null || m.References.Count > 0 || m.Subject.TrimStart().StartsWith("re:", StringComparison.OrdinalIgnoreCase);
        var input = new ClassifierInput(m.Subject, m.Text, isReply);
        var fromLine = m.From.Name is { Length: > 0 } name ? $"{name} <{m.From.Email}>" : m.From.Email;
        IReadOnlyDictionary<string, string> redactions = new Dictionary<string, string>();

        ClassifierOutcome outcome;
        if (classifier.UsesExternalModel)
        {
            if (policy.Pii.RedactBeforeLlm)
            {
                // The sender's name and address, and the other people on the message, are known exactly: replaced wherever they
                // occur, not only where a pattern finds them.
                var redactor = new PiiRedactor().KnowSender(m.From.Name, m.From.Email)
                    .KnowParticipants(m.To.Concat(m.Cc).Select(a => (a.Name, (string?)a.Email)));
                // The body first: a name found in it (under a sign-off, in an introduction) is then known in the subject and From line.
                var text = redactor.Redact(input.Text);
                input = input with { Subject = redactor.Redact(input.Subject), Text = text };
                fromLine = redactor.Redact(fromLine);
                redactions = new Dictionary<string, string>(redactor.Map, StringComparer.Ordinal);
                if (redactor.Counts.Total() > 0)
                {
                    events.Add(new InboundPiiRedactedV2(received.InboundId, redactor.Counts, now));
                }
            }
            outcome = await classifier.ClassifyWithModelAsync(input, fromLine, ClassifiedIntents(policy), ct);
        }
        else
        {
            outcome = TriageClassifier.ClassifyOffline(input, ClassifiedIntents(policy));
        }

        var classification = Compose(outcome, ruleFlags, policy);
        events.Add(new InboundClassified(received.InboundId, classification, outcome.Provider, outcome.Model, outcome.TokensIn, outcome.TokensOut,
            outcome.CostUsd, outcome.LatencyMs, now));
        var decision = Router.Decide(new RouteInput(DecisionId(received.InboundId), classification, m.From.Email, policy, policyVersion, received.AcceptedAt,
            outcome.Answer.Intent));
        events.Add(new InboundDecided(received.InboundId, received.OrganizationId, m, classification, decision, redactions, now));
        // The word model's weak guess is no opt-out: an out-of-office note ("limited access to my e-mails") or a report of a
        // hacked account came out "unsubscribe" at 0.24 and put a customer on the list.
        var optOut = ruleFlags.Any(h => h.Flag == PolicyFlags.Unsubscribe)
            || (outcome.Answer.Intent == Unsubscribe && outcome.Answer.Confidence >= OptOutMinConfidence);
        return new TriageRun(events, outcome.Answer.Intent, optOut);
    }

    /// <summary>The intent whose sender is suppressed.</summary>
    public const string Unsubscribe = "unsubscribe";

    /// <summary>How sure the classifier must be of an unsubscribe intent without opt-out wording to list the sender.</summary>
    public const double OptOutMinConfidence = TriagePolicy.DefaultMinConfidence;

    /// <summary>Intents a hard rule acts on: always among the classifier's choices, whatever the policy lists.</summary>
    internal static readonly IReadOnlyList<string> HardRuleIntents = ["complaint", "unsubscribe"];

    /// <summary>
    /// The policy's intents plus the hard-rule intents it leaves out (last, so they lose ties). A complaint must be
    /// recognised as one even when the organization lists only billing and other; it is then recorded as <c>other</c>
    /// and the router still applies the complaint rule (<see cref="RouteInput.ClassifiedIntent"/>).
    /// </summary>
    internal static IReadOnlyList<string> ClassifiedIntents(TriagePolicy policy) =>
        [.. policy.AllowedIntents, .. HardRuleIntents.Where(i => !policy.AllowedIntents.Contains(i))];

    /// <summary>Rule flags are authoritative; a model may add flags but not remove them. The result must pass the full schema.</summary>
    internal static InboundClassification Compose(ClassifierOutcome outcome, IReadOnlyList<FlagHit> ruleFlags, TriagePolicy policy)
    {
        var a = outcome.Answer;
        var intent = policy.AllowedIntents.Contains(a.Intent) ? a.Intent : "other";
        var flags = new List<string>();
        foreach (var f in ruleFlags.Select(h => h.Flag).Concat(a.ModelFlags))
        {
            if (!flags.Contains(f))
            {
                flags.Add(f);
            }
        }
        if (a.Intent == "unsubscribe" && !flags.Contains(PolicyFlags.Unsubscribe))
        {
            flags.Add(PolicyFlags.Unsubscribe);
        }
        IEnumerable<string> unlisted = intent == a.Intent ? [] : [$"classified {a.Intent}, which allowed_intents does not list: recorded as other"];
        var evidence = unlisted.Concat(a.Evidence).Concat(ruleFlags.Select(h => $"flag {h.Flag}: {h.Evidence}"))
            .Select(e => e.Length <= 300 ? e : e[..299] + "…").Take(12).ToList();
        var classification = new InboundClassification(intent, a.Urgency, policy.OwnerFor(intent), flags, a.Confidence, outcome.Classifier, evidence);

        using var doc = JsonSerializer.SerializeToDocument(classification, BuildingBlocks.Json.OutreachJson.Options);
        var errors = SchemaValidator.Validate(ClassificationSchema.Full(policy.AllowedIntents), doc.RootElement);
        return errors.Count == 0
            ? classification
            : throw new InvalidOperationException($"Classification breaks its schema: {string.Join("; ", errors)}");
    }

    /// <summary>One decision id per inbound message, whoever computes it: a retried decision carries the same id.</summary>
    internal static Guid DecisionId(Guid inboundId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"triage-decision:{inboundId:D}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (name-based, custom hash)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
