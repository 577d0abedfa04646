using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Qa;
using OutreachOS.Triage.Slack;
using OutreachOS.Triage.Smtp;
using OutreachOS.Triage.Templates;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// Acts on the router's decision. AUTO_SEND: render → guardrails (a BLOCK, or a stored template that fails validation,
/// downgrades to review) → send once → maybe QA
/// sample. DRAFT_FOR_REVIEW: render → pending draft (+ Slack). HUMAN: assignment with an outline. Dry-run never sends.
/// Idempotent twice over: the inbox drops a redelivered message id, and the decision's deterministic event ids plus
/// the send ledger cover a re-published decision under a new message id.
/// </summary>
internal sealed class TriageResponseConsumer(
    NpgsqlDataSource dataSource,
    IEventStore store,
    TemplateStore templates,
    ReplyComposer composer,
    ReplySender sender,
    ResponseOptions options,
    SlackNotifier slack,
    CrmNotes crm,
    TimeProvider time,
    ILogger<TriageResponseConsumer> logger) : IdempotentConsumer<InboundDecided>(dataSource)
{
    protected override string ConsumerName => "triage-responses";

    protected override async Task HandleAsync(ConsumeContext<InboundDecided> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        var d = context.Message;
        if (tenantId is { } t && t != d.OrganizationId)
        {
            logger.LogError("InboundDecided {InboundId}: tenant header {Header} differs from organization {Org}; ignored", d.InboundId, t, d.OrganizationId);
            return;
        }

        var tenant = d.OrganizationId;
        var stream = InboundStreams.StreamId(d.InboundId);
        var decisionId = d.Decision.DecisionId;
        var existing = await store.ReadStreamAsync(tenant, stream, ct: ct);
        var firstId = ResponseIds.For(decisionId, d.Decision.Path == ResponsePath.Human ? "assigned" : "drafted");
        if (existing.Any(e => e.EventId == firstId))
        {
            return; // this decision was acted on under another message id (relay rebuild, manual re-publish)
        }
        if (existing.Any(e => e.EventType == EventErasure.ErasedType))
        {
            logger.LogInformation("InboundDecided {InboundId}: the message was erased (ADR 0030); nothing is drafted or sent", d.InboundId);
            return;
        }

        var now = time.GetUtcNow();
        var events = new List<EventToAppend>();
        void Add(string purpose, object e) => events.Add(new EventToAppend(ResponseIds.For(decisionId, purpose), e));
        // Writes wait until the calls outside PostgreSQL (Slack, SMTP, CRM) are done: the first write gives the transaction
        // an id, and while it is open every event committed by anyone is held back from the relay and the projections.
        DraftRecord? pendingDraft = null;
        QaRecord? pendingQa = null;
        string crmNote;
        // The message may be erased (by address, or by the retention sweep) while the reply is composed, which can take a
        // model's time. The calls that cannot be undone ask again right before they go out (ADR 0030): a mail is claimed
        // only while the stream holds no erased event, and the CRM and Slack are not called once it does.
        var erasedMidway = false;
        async Task<bool> NotErasedAsync(CancellationToken token) => !(erasedMidway = await EventErasure.IsErasedAsync(transaction, tenant, stream, token));

        if (d.Decision.Path == ResponsePath.Human)
        {
            var outline = Outline.For(d);
            Add("assigned", new InboundAssigned(d.InboundId, d.Decision.Owner, outline, d.Decision.SlaDueAt, now));
            crmNote = $"Inbound \"{d.Message.Subject}\" assigned to {d.Decision.Owner} ({d.Classification.Intent}, {d.Classification.Urgency}).";
        }
        else
        {
            var set = await templates.GetAsync(tenant, ct);
            // The policy in force now decides whether the paraphrasing model (an external call) sees placeholders.
            var redact = !options.ParaphraseEnabled || (await TriagePolicySource.GetAsync(transaction, tenant, ct)).Policy.Pii.RedactBeforeLlm;
            var reply = await composer.ComposeAsync(d, set, redact, ct);
            var path = d.Decision.Path;
            var draftId = ResponseIds.DraftId(decisionId);
            // A stored template that PUT /templates would refuse (stored before a check existed) has a hole or worse: never sent
            // on its own, like a reply with a guardrail BLOCK. The reviewer sees why on the draft.
            var templateReasons = (reply.TemplateProblems ?? []).Select(p => $"{DowngradeReasons.TemplateInvalid} {p}").ToList();
            if (path == ResponsePath.AutoSend && (templateReasons.Count > 0 || !reply.Report.Passed))
            {
                var reasons = templateReasons.Concat(reply.Report.Blocking.Select(f => $"{DowngradeReasons.Guardrail} {f.Code}: {f.Detail}")).Distinct().ToList();
                Add("downgraded", new InboundPathDowngraded(d.InboundId, ResponsePath.AutoSend, ResponsePath.DraftForReview, reasons, now));
                path = ResponsePath.DraftForReview;
            }
            else if (templateReasons.Count > 0)
            {
                // Already a draft for review: nothing was downgraded, but the audit still records why the template is suspect.
                Add("template-problems", new InboundTemplateProblemsNoted(d.InboundId, draftId, templateReasons, now));
            }

            var flags = ReplyComposer.ToEventFlags(reply.Report);
            Add("drafted", new InboundReplyDrafted(d.InboundId, draftId, decisionId, path, reply.TemplateId, reply.Subject, reply.Text, flags,
                reply.Paraphrased, reply.Provider, reply.Model, reply.CostUsd, reply.LatencyMs, now));

            if (path == ResponsePath.DraftForReview)
            {
                var draft = new DraftRecord(draftId, d.InboundId, decisionId, DraftStatus.Pending, reply.TemplateId, reply.Subject, reply.Text,
                    d.Message.From, d.Message.Subject, d.Message.Text, d.Message.MessageId, d.Message.References,
                    new DraftClassification(d.Classification.Intent, d.Classification.Urgency, d.Classification.Owner, d.Classification.PolicyFlags, d.Classification.Confidence),
                    [.. d.Decision.Reasons, .. templateReasons], d.Decision.SlaDueAt, now, d.Decision.Path, flags, d.Decision.DryRun, reply.Cc, d.Redactions);
                pendingDraft = draft;
                crmNote = $"Draft reply to \"{d.Message.Subject}\" waiting for review ({d.Classification.Intent}).";
            }
            else if (d.Decision.DryRun)
            {
                Add("skipped", new InboundSendSkipped(d.InboundId, decisionId, "DRY_RUN", now));
                crmNote = $"Dry run: an automatic reply to \"{d.Message.Subject}\" would have been sent.";
            }
            else
            {
                var mail = ReplyMail.Build(decisionId, sender.From, d.Message.From, reply.Cc, reply.Subject, reply.Text, d.Message.MessageId,
                    d.Message.References, d.Redactions, auto: true);
                var result = await sender.SendOnceAsync(tenant, decisionId, d.InboundId, mail, ct, unlessErased: stream);
                if (result == SendResult.Withdrawn)
                {
                    LogErasedMidway(d.InboundId, "before the automatic reply was sent");
                    return;
                }
                if (result is SendResult.Sent or SendResult.AlreadySent)
                {
                    Add("sent", new InboundReplySent(d.InboundId, decisionId, draftId, mail.MessageId, string.Join(", ", mail.To.Select(a => a.Email)),
                        mail.Subject, true, now));
                    crmNote = $"Automatic reply sent to \"{d.Message.Subject}\" ({reply.TemplateId} template).";
                    if (QaSampler.IsSampled(decisionId, options.QaSampleRate))
                    {
                        // Secondary check: the guardrails again, on what the customer actually received.
                        var check = await composer.CheckAsync(mail.Subject, mail.Text,
                            [.. reply.Sources.Select(s => Redactions.Restore(s, d.Redactions))], d.Message.Subject, tenant, ct);
                        Add("qa", new InboundQaSampled(d.InboundId, decisionId, check.Passed, now));
                        var qa = new QaRecord(d.InboundId, decisionId, QaSampler.Pending, d.Classification.Intent, d.Message.Subject, d.Message.Text,
                            reply.Subject, reply.Text, check.Passed, ReplyComposer.ToEventFlags(check), now);
                        pendingQa = qa;
                    }
                }
                else
                {
                    var reason = result == SendResult.NotConfigured ? "MAIL_NOT_CONFIGURED" : "SEND_OUTCOME_UNKNOWN";
                    Add("skipped", new InboundSendSkipped(d.InboundId, decisionId, reason, now));
                    crmNote = $"Automatic reply to \"{d.Message.Subject}\" not sent ({reason}).";
                }
            }
        }

        if (await crm.LogAsync(tenant, d.InboundId, Redactions.Restore(d.Message.From.Email, d.Redactions), crmNote, ct, NotErasedAsync) is { } logged)
        {
            Add("crm", logged);
        }
        if (erasedMidway)
        {
            LogErasedMidway(d.InboundId, "before the CRM was told");
            return;
        }

        if (pendingDraft is not null)
        {
            // After the CRM call (up to 10 s), right before the writes: the message's buttons name the draft, and a click on
            // a draft not committed yet is answered like a bad signature (the draft's organization holds the secret), so a
            // quick reviewer must not meet that window. Not after the first write: the transaction would then hold a
            // transaction id, and every event reader with it, for as long as Slack takes. Before the commit: a failed
            // commit retries and posts again, rather than leaving a draft nobody was told about.
            await slack.NotifyDraftAsync(tenant, pendingDraft, ct, NotErasedAsync);
            if (erasedMidway)
            {
                LogErasedMidway(d.InboundId, "before Slack was told");
                return;
            }
        }
        // The message may have been erased (by address, or by the retention sweep) while the reply was being composed: the
        // head read above is too old to tell. From here until the commit, no erasure of the stream can commit before us,
        // and one that starts meanwhile erases what we write (ADR 0030).
        if (await EventErasure.LockUnlessErasedAsync(transaction, tenant, stream, ct))
        {
            LogErasedMidway(d.InboundId, "before the response was recorded");
            return;
        }
        if (pendingDraft is not null)
        {
            await DocumentStore.UpsertAsync(transaction, tenant, pendingDraft.DraftId.ToString(), pendingDraft, ct);
        }
        if (pendingQa is not null)
        {
            await DocumentStore.UpsertAsync(transaction, tenant, d.InboundId.ToString(), pendingQa, ct);
        }
        // Any version (an approval or a QA verdict may land meanwhile), tried first at the head read above: one round trip.
        await store.AppendManyAsync(transaction, [new StreamAppend(tenant, stream, InboundStreams.StreamType, ExpectedVersion.Any, events)
        {
            ReadHead = existing.Count > 0 ? (existing[^1].Version, existing[^1].Hash) : null,
        }], ct);
    }

    private void LogErasedMidway(Guid inboundId, string when) =>
        logger.LogInformation("InboundDecided {InboundId}: the message was erased while its response was prepared, {When} (ADR 0030); nothing more is done or recorded",
            inboundId, when);
}
