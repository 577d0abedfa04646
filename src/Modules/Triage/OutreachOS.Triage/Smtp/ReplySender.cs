using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Triage.Smtp;

internal enum SendResult
{
    Sent,
    AlreadySent,
    OutcomeUnknown,
    NotConfigured,

    /// <summary>Nothing was sent: the draft the send was for is gone, or the message it answers was erased, before the claim.</summary>
    Withdrawn,
}

/// <summary>
/// At most one mail per decision: claim in the ledger (committed) → SMTP → mark sent. A definite SMTP failure, or a
/// cancellation before the end of DATA, releases the claim and rethrows (the bus or the reviewer retries); a connection
/// lost after DATA, or a crash after the claim, leaves it SENDING, and that attempt or a later one reports
/// <see cref="SendResult.OutcomeUnknown"/> instead of risking a second mail.
/// </summary>
internal sealed class ReplySender(SendLedger ledger, IMailSender mail, SmtpOptions options, TimeProvider time, ILogger<ReplySender> logger)
{
    public MailAddress From => options.From;

    /// <param name="whileDocument">For an approved draft: its document (type, id), which must still exist when the send is
    /// claimed (<see cref="SendLedger.ClaimAsync"/>).</param>
    /// <param name="unlessErased">For an automatic reply: the received message's stream, which must hold no erased event
    /// when the send is claimed.</param>
    public async Task<SendResult> SendOnceAsync(Guid tenantId, Guid decisionId, Guid inboundId, OutgoingMail message, CancellationToken ct,
        (string Type, string Id)? whileDocument = null, string? unlessErased = null)
    {
        if (!mail.Configured)
        {
            return SendResult.NotConfigured;
        }

        var recipient = string.Join(", ", message.To.Select(t => t.Email));
        switch (await ledger.ClaimAsync(tenantId, decisionId, inboundId, message.MessageId, recipient, message.Subject, ct, whileDocument, unlessErased))
        {
            case SendClaim.AlreadySent:
                return SendResult.AlreadySent;
            case SendClaim.Withdrawn:
                return SendResult.Withdrawn;
            case SendClaim.OutcomeUnknown:
                logger.LogWarning("Decision {DecisionId}: an earlier send started and never finished; not sending again", decisionId);
                return SendResult.OutcomeUnknown;
        }

        try
        {
            await mail.SendAsync(message with { Date = time.GetUtcNow() }, ct);
        }
        catch (Exception e) when (e is MailNotSentException or OperationCanceledException)
        {
            // Certainly not sent: the server refused it, or the caller gave up before the end of DATA (the sender turns a
            // cancellation after that point into MailOutcomeUnknownException). A retry may send.
            await ledger.ReleaseAsync(decisionId, CancellationToken.None);
            throw;
        }
        catch (MailOutcomeUnknownException e)
        {
            // The claim stays SENDING, so no later attempt sends again; the caller records the unknown outcome now.
            logger.LogWarning(e, "Decision {DecisionId}: the connection failed after the message was transmitted; not sending again", decisionId);
            return SendResult.OutcomeUnknown;
        }

        // Not the caller's token: once the server has the mail, the ledger must learn it even if the caller gave up.
        await ledger.MarkSentAsync(decisionId, CancellationToken.None);
        return SendResult.Sent;
    }
}
