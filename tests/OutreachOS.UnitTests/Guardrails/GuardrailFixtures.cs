using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;

namespace OutreachOS.UnitTests.Guardrails;

/// <summary>A realistic lead context and clean variants, plus helpers to run one check or the whole evaluator.</summary>
internal static class GuardrailFixtures
{
    public static readonly string[] Sources =
    [
        "Lead: Sarah Chen, VP of Sales at Acme Logistics",
        "Company summary: Acme Logistics runs freight brokerage for mid-market retailers across the Midwest.",
        "Signals: hiring 12 SDRs; opened a Chicago office in 2024; 40% growth in shipments last quarter",
        "Tech stack: HubSpot, Gong",
        "Keywords: outbound prospecting, rep ramp time",
        "Sender: Tom Baker, Outreachly",
    ];

    public const string Goal = "book a 15-min call";

    public const string CleanEmailSubject = "Ramp time for your 12 new SDRs";

    public const string CleanEmailBody = """
        Hi Sarah,

        Congrats on the Chicago office. I noticed Acme Logistics is hiring 12 SDRs, and ramp time usually becomes the bottleneck when a team grows that fast.

        Outreachly gives new reps researched, personalized drafts inside HubSpot, so they can focus on conversations from their first week.

        Would you be open to a 15-min call next week to see if it fits?

        Best,
        Tom
        """;

    public const string CleanLinkedIn =
        "Hi Sarah, congrats on the new Chicago office! With 12 SDRs joining Acme Logistics, ramp time gets tight. "
        + "Outreachly helps new reps send researched outbound from HubSpot in their first week. Open to a 15-min call to compare notes?";

    public const string CleanSms =
        "Hi Sarah, Tom from Outreachly. Saw Acme Logistics is hiring 12 SDRs. We help new reps ramp faster on outbound. Open to a 15-min call this week?";

    public static GuardrailInput Email(string body, string? subject = CleanEmailSubject) => new()
    {
        Channel = MessageChannel.Email,
        Subject = subject,
        Message = body,
        LeadFirstName = "Sarah",
        LeadCompany = "Acme Logistics",
        Goal = Goal,
        MaxWords = 120,
        SourceTexts = Sources,
    };

    public static GuardrailInput LinkedIn(string body) => Email(body, subject: null) with { Channel = MessageChannel.LinkedIn };

    public static GuardrailInput Sms(string body) => Email(body, subject: null) with { Channel = MessageChannel.Sms, MaxWords = null };

    /// <summary>Runs a single check in isolation, so a test sees only that check's findings.</summary>
    public static List<RiskFlag> Run<TCheck>(GuardrailInput input)
        where TCheck : IGuardrailCheck, new()
    {
        var flags = new List<RiskFlag>();
        new TCheck().Run(new GuardrailContext(input), flags);
        return flags;
    }

    public static Task<GuardrailReport> EvaluateAsync(GuardrailInput input) =>
        GuardrailEvaluator.CreateDefault().EvaluateAsync(input, CancellationToken.None).AsTask();

    public static string Describe(IEnumerable<RiskFlag> flags) =>
        string.Join("\n", flags.Select(f => $"{f.Severity} {f.Code} [{f.Span?.Text}] {f.Detail}"));

    /// <summary>Asserts exactly one flag with this code and returns it.</summary>
    public static RiskFlag Single(List<RiskFlag> flags, string code)
    {
        var matching = flags.Where(f => f.Code == code).ToList();
        Assert.True(matching.Count == 1, $"expected one {code}, got {matching.Count}:\n{Describe(flags)}");
        return matching[0];
    }

    public static void AssertSpan(RiskFlag flag, string source, string expectedText, MessagePart part = MessagePart.Body)
    {
        Assert.NotNull(flag.Span);
        Assert.Equal(expectedText, flag.Span.Text);
        Assert.Equal(part, flag.Span.Part);
        Assert.Equal(expectedText, source.Substring(flag.Span.Start, flag.Span.Length));
    }
}
