using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Policies;

namespace OutreachOS.Triage.Pipeline;

/// <summary>
/// Triage of one received message, once: the inbox row, the filter/classification/decision events and nothing else commit
/// together, and the append expects the stream version read before deciding — a redelivery finds the inbox row, a
/// concurrent second consumer gets a version conflict, retries, and then sees the stream already decided.
/// </summary>
internal sealed class InboundTriageConsumer(
    NpgsqlDataSource dataSource,
    IEventStore store,
    TriagePipeline pipeline,
    IServiceProvider services,
    TimeProvider clock) : IdempotentConsumer<InboundMessageReceived>(dataSource)
{
    public const string Name = "triage.inbound-received";

    protected override string ConsumerName => Name;

    protected override async Task HandleAsync(ConsumeContext<InboundMessageReceived> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        var received = context.Message;
        if (tenantId is { } t && t != received.OrganizationId)
        {
            throw new InvalidOperationException($"Inbound {received.InboundId}: tenant header {t} does not match organization {received.OrganizationId}.");
        }
        var org = received.OrganizationId;
        var streamId = InboundStreams.StreamId(received.InboundId);
        // Three independent reads at once (the stream and the contact on pooled connections, the policy on the
        // transaction's): one round trip of latency instead of three. The contact is looked up even when the policy
        // already names the sender VIP (rare; one read wasted).
        var reading = store.ReadStreamAsync(org, streamId, ct: ct);
        var contact = ContactAsync(org, received.Message.From.Email, ct);
        var policyRead = TriagePolicySource.GetAsync(transaction, org, ct);
        await Task.WhenAll(reading, contact, policyRead);
        var existing = await reading;
        // Already triaged (another consumer won, or a relay rebuild re-published the message), or erased while this
        // message was in flight (ADR 0030: its content must not come back).
        if (existing.Any(e => e.EventType is "inbound_decided.v1" or "inbound_filtered.v1" or EventErasure.ErasedType))
        {
            return;
        }
        var version = existing.Count == 0 ? 0 : existing[^1].Version;

        var (policy, policyVersion) = await policyRead;
        var sender = Sender(received.Message.From.Email, policy, await contact);
        var run = await pipeline.TriageAsync(received, policy, policyVersion, sender, clock.GetUtcNow(), ct);
        var events = run.Events;

        // An unsubscribe request puts its sender on the do-not-contact list (ADR 0031), with the decision and only once,
        // and the message's history records it. The sender only: an address named in the text is not the requester's.
        // The pipeline decides what is an opt-out (TriageRun.OptOut): the sender's own opt-out wording, or the classifier's
        // unsubscribe intent held with confidence, also when the policy's allowed_intents leave unsubscribe out (ADR 0012).
        var decided = events.OfType<InboundDecided>().FirstOrDefault();
        var optOut = decided is not null && run.OptOut;
        var suppressions = optOut ? services.GetService<ISuppressionList>() : null;
        if (suppressions is not null)
        {
            events = [.. events, new InboundSenderSuppressed(received.InboundId, decided!.DecidedAt)];
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["causation_id"] = context.MessageId?.ToString() ?? "" };
        if (context.CorrelationId is { } correlation)
        {
            metadata["correlation_id"] = correlation.ToString();
        }
        // Expected version: a message Ingestion has not opened yet (version 0) is decided on an empty stream, like any other.
        await store.AppendManyAsync(transaction,
        [
            new StreamAppend(org, streamId, InboundStreams.StreamType,
                version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version),
                [.. events.Select(e => EventToAppend.Create(e, metadata))])
            {
                ReadHead = version == 0 ? null : (version, existing[^1].Hash), // the head just read: no head lookup in the append
            },
        ], ct);

        if (suppressions is not null)
        {
            await suppressions.SuppressFromInboundAsync(transaction, org, received.Message.From.Email, received.InboundId, decided!.DecidedAt, ct);
        }
    }

    /// <summary>The intent whose sender is suppressed.</summary>
    public const string Unsubscribe = TriagePipeline.Unsubscribe;

    private static SenderInfo Sender(string email, TriagePolicy policy, ContactRecord? contact)
    {
        if (policy.VipSenders.FirstOrDefault(v => SenderMatch.Matches(v, email)) is { } entry)
        {
            return new SenderInfo(true, $"policy vip_senders '{entry}'");
        }
        return contact is { Vip: true }
            ? new SenderInfo(true, "contact directory marks the sender VIP")
            : new SenderInfo(false, null);
    }

    // Optional: the Ingestion module's contact store, when the host registers it.
    private async Task<ContactRecord?> ContactAsync(Guid org, string email, CancellationToken ct) =>
        services.GetService<IContactDirectory>() is { } directory ? await directory.FindAsync(org, email, ct) : null;
}
