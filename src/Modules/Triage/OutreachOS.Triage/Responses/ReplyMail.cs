using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Pii;
using OutreachOS.Triage.Smtp;

namespace OutreachOS.Triage.Responses;

/// <summary>The mail for a reply: placeholders restored here and only here, threaded under the customer's message.</summary>
internal static class ReplyMail
{
    public static OutgoingMail Build(Guid decisionId, MailAddress from, MailAddress customer, string? cc, string subject, string text,
        string originalMessageId, IReadOnlyList<string> originalReferences, IReadOnlyDictionary<string, string> redactions, bool auto)
    {
        // The display name goes back into the To header only when it looks like a person's name (it is the sender's text).
        var to = new MailAddress(Redactions.Restore(customer.Email, redactions),
            customer.Name is null ? null : PersonalNames.Full(Redactions.Restore(customer.Name, redactions)));
        return new OutgoingMail(
            ResponseIds.SmtpMessageId(decisionId, from.Email),
            from,
            [to],
            cc is null ? [] : [new MailAddress(cc)],
            Redactions.Restore(subject, redactions),
            Redactions.Restore(text, redactions),
            string.IsNullOrWhiteSpace(originalMessageId) ? null : originalMessageId,
            originalReferences,
            DateTimeOffset.UnixEpoch, // stamped by the sender at send time
            auto);
    }
}
