using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.UnitTests.Triage;

/// <summary>Builds normalized inbound messages for the triage tests.</summary>
internal static class Mail
{
    public static readonly DateTimeOffset At = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    public static InboundEmail Email(string subject, string text, string from = "pat@customer.example", IDictionary<string, string>? headers = null,
        string? inReplyTo = null, string? fromName = "Pat Doe") =>
        new($"<{Guid.NewGuid():N}@customer.example>", null, new MailAddress(from, fromName), [new MailAddress("hello@vendor.example")], [],
            subject, text, null, new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.Ordinal), At, inReplyTo, []);

    public static InboundMessageReceived Received(InboundEmail email, int hidden = 0, bool hiddenHtml = false, Guid? org = null) =>
        new(Guid.NewGuid(), org ?? Guid.Parse("0195a8f0-0000-7000-8000-000000000001"), InboundSource.Email, email, hidden, hiddenHtml, At);
}
