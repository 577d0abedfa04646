using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Triage.Slack;

internal enum SlackVerification
{
    Valid,
    NotConfigured,
    MissingHeaders,
    Stale,
    BadSignature,
}

/// <summary>
/// Slack's v0 request signing: <c>v0=hex(HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}"))</c> in
/// <c>X-Slack-Signature</c>, with <c>X-Slack-Request-Timestamp</c> no more than 5 minutes from now (either way).
/// </summary>
internal static class SlackSignature
{
    public static string Compute(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"));
        return "v0=" + Convert.ToHexStringLower(mac);
    }

    public static SlackVerification Verify(string? secret, string? timestamp, string? signature, string body, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SlackVerification.NotConfigured;
        }

        // Checked before the MAC: a replayed request is refused even with a valid signature.
        var fresh = CheckFreshness(timestamp, signature, now, window);
        if (fresh != SlackVerification.Valid)
        {
            return fresh;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp!, body));
        var given = Encoding.ASCII.GetBytes(signature!.Trim());
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SlackVerification.Valid : SlackVerification.BadSignature;
    }

    /// <summary>Both headers present and the timestamp within the window (no secret needed): MissingHeaders, Stale or Valid.</summary>
    public static SlackVerification CheckFreshness(string? timestamp, string? signature, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SlackVerification.MissingHeaders;
        }

        return seconds > now.ToUnixTimeSeconds() + (long)window.TotalSeconds || seconds < now.ToUnixTimeSeconds() - (long)window.TotalSeconds
            ? SlackVerification.Stale
            : SlackVerification.Valid;
    }
}
