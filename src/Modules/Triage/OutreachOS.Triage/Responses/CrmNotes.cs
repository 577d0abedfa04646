using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// A note on the sender's CRM timeline after each action, when an <see cref="ICrmAdapter"/> is registered. Best effort
/// with a short time limit: a CRM outage never blocks or fails a reply (no event is recorded then).
/// </summary>
internal sealed class CrmNotes(IServiceProvider services, TimeProvider time, ILogger<CrmNotes> logger)
{
    /// <param name="proceed">Asked right before the CRM is called (when there is one); false means no call is made.</param>
    public async Task<InboundCrmLogged?> LogAsync(Guid tenantId, Guid inboundId, string email, string note, CancellationToken ct,
        Func<CancellationToken, Task<bool>>? proceed = null)
    {
        if (services.GetService<ICrmAdapter>() is not { } crm || (proceed is not null && !await proceed(ct)))
        {
            return null;
        }

        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            var noteId = await crm.LogNoteAsync(tenantId, email, note, limit.Token);
            return noteId is null ? null : new InboundCrmLogged(inboundId, crm.Name, noteId, time.GetUtcNow());
        }
#pragma warning disable CA1031 // the adapter is third-party code: whatever it throws, the reply goes on
        catch (Exception e) when (!ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "CRM {Crm} note for inbound {InboundId} failed; the reply is not affected", crm.Name, inboundId);
            return null;
        }
    }
}
