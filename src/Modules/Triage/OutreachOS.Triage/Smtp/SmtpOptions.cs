using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Triage.Smtp;

/// <summary>
/// <c>Mail:Smtp:Host/Port/From/Username/Password/EnableSsl/TimeoutSeconds</c>. No host = sending is not configured
/// (replies are recorded as skipped with MAIL_NOT_CONFIGURED). EnableSsl: implicit TLS on port 465, STARTTLS otherwise.
/// <c>From</c> is <c>address</c> or <c>Name &lt;address&gt;</c>.
/// </summary>
internal sealed record SmtpOptions(string? Host, int Port, MailAddress From, string? Username, string? Password, bool EnableSsl, TimeSpan Timeout)
{
    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    public static SmtpOptions Load(IConfiguration configuration)
    {
        var s = configuration.GetSection("Mail:Smtp");
        var port = s.GetValue("Port", 25);
        if (port is < 1 or > 65535)
        {
            throw new InvalidOperationException("Mail:Smtp:Port must be between 1 and 65535.");
        }

        return new SmtpOptions(
            string.IsNullOrWhiteSpace(s["Host"]) ? null : s["Host"],
            port,
            ParseAddress(s["From"] ?? "outreachos@localhost"),
            string.IsNullOrEmpty(s["Username"]) ? null : s["Username"],
            string.IsNullOrEmpty(s["Password"]) ? null : s["Password"],
            s.GetValue("EnableSsl", false),
            TimeSpan.FromSeconds(Math.Clamp(s.GetValue("TimeoutSeconds", 30), 1, 600)));
    }

    internal static MailAddress ParseAddress(string raw)
    {
        var lt = raw.LastIndexOf('<');
        var gt = raw.LastIndexOf('>');
        if (lt >= 0 && gt > lt)
        {
            var name = raw[..lt].Trim().Trim('"').Trim();
            return new MailAddress(raw[(lt + 1)..gt].Trim(), name.Length == 0 ? null : name);
        }

        return new MailAddress(raw.Trim());
    }
}
