using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Templates;

namespace OutreachOS.Triage.Drafts;

/// <summary>
/// Checks a human's edit exactly like the response path checks a generated reply (<see cref="ReplyComposer.CheckAsync"/>,
/// through <see cref="IGuardrailEvaluator"/>): the same requirements, and the same sources rebuilt from the decision the
/// draft answers (the customer's message, its sender, the ticket id) plus the organization's approved template values
/// as they are now: an approver cannot send a number, discount, SLA or link that nobody approved.
/// </summary>
internal sealed class DraftGuardrails(IEventStore store, TemplateStore templates, ReplyComposer composer)
{
    public async Task<GuardrailReport> CheckAsync(Guid tenantId, DraftRecord draft, string text, CancellationToken ct)
    {
        var decided = await DecisionAsync(tenantId, draft, ct);
        var set = await templates.GetAsync(tenantId, ct);
        var model = ReplyModel.Build(decided, set.Values, ReplyModel.ReplySubject(decided.Message.Subject));
        var sources = ReplyComposer.Sources(decided, set.Values, model);
        return await composer.CheckAsync(draft.Subject, text, sources, decided.Message.Subject, tenantId, ct);
    }

    /// <summary>
    /// The decision the draft was written for. It is on the draft's own stream by construction (the response consumer
    /// drafts in reaction to it); should it ever be missing, the draft itself carries the customer's message.
    /// </summary>
    private async Task<InboundDecided> DecisionAsync(Guid tenantId, DraftRecord d, CancellationToken ct)
    {
        var events = await store.ReadStreamAsync(tenantId, InboundStreams.StreamId(d.InboundId), ct: ct);
        foreach (var e in events)
        {
            if (e.EventType == "inbound_decided.v1" && e.As<InboundDecided>() is { } decided && decided.Decision.DecisionId == d.DecisionId)
            {
                return decided;
            }
        }

        var message = new InboundEmail(d.OriginalMessageId, null, d.From, [], [], d.OriginalSubject, d.OriginalText, null,
            new Dictionary<string, string>(), d.CreatedAt, null, d.OriginalReferences);
        return new InboundDecided(d.InboundId, tenantId, message,
            new InboundClassification(d.Classification.Intent, d.Classification.Urgency, d.Classification.Owner, d.Classification.PolicyFlags,
                d.Classification.Confidence, "draft", []),
            new RoutingDecision(d.DecisionId, ResponsePath.DraftForReview, d.Reasons, d.Classification.Owner, d.SlaDueAt, 0, d.DryRun),
            d.Redactions, d.CreatedAt);
    }
}
