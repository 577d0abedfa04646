using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;

namespace OutreachOS.Guardrails.Checks;

/// <summary>Word limit, SMS segments, per-channel character limits and e-mail subject sanity.</summary>
internal sealed class LengthCheck : IGuardrailCheck
{
    internal const int LinkedInConnectionNoteLimit = 300;
    internal const int MaxSmsSegments = 2;
    internal const int SubjectWarnLength = 60;
    internal const int SubjectBlockLength = 100;

    public string Name => "length";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        var input = context.Input;
        var body = context.Body;
        if (string.IsNullOrWhiteSpace(body.Text))
        {
            flags.Add(new RiskFlag(RiskCodes.BodyEmpty, RiskSeverity.Block, "The message body is empty."));
            return;
        }

        if (input.MaxWords is { } maxWords && body.Words.Count > maxWords)
        {
            var firstOver = body.Words[maxWords].Start;
            flags.Add(new RiskFlag(
                RiskCodes.MaxWords,
                RiskSeverity.Block,
                $"The body has {body.Words.Count} words; the limit is {maxWords}.",
                body.Span(firstOver, body.Text.Length - firstOver)));
        }

        var maxChars = input.MaxCharacters ?? (input.Channel == MessageChannel.LinkedIn ? LinkedInConnectionNoteLimit : (int?)null);
        if (maxChars is { } limit && body.Text.Length > limit)
        {
            flags.Add(new RiskFlag(
                RiskCodes.MaxCharacters,
                RiskSeverity.Block,
                $"The {ChannelName(input.Channel)} has {body.Text.Length} characters; the limit is {limit}.",
                body.Span(limit, body.Text.Length - limit)));
        }

        if (input.Channel == MessageChannel.Sms)
        {
            CheckSms(body, flags);
        }

        if (input.Channel == MessageChannel.Email)
        {
            CheckSubject(context, flags);
        }
    }

    private static void CheckSms(MessageText body, List<RiskFlag> flags)
    {
        var sms = SmsSegments.Calculate(body.Text);
        if (sms.FirstNonGsmIndex >= 0)
        {
            var at = sms.FirstNonGsmIndex;
            var length = char.IsHighSurrogate(body.Text[at]) && at + 1 < body.Text.Length ? 2 : 1;
            flags.Add(new RiskFlag(
                RiskCodes.SmsUnicode,
                RiskSeverity.Warn,
                $"'{body.Text.Substring(at, length)}' is not in the GSM-7 alphabet, so the SMS is sent as UCS-2 "
                + $"(70 characters per segment instead of 160): {sms.Units} units in {sms.Segments} segment(s).",
                body.Span(at, length)));
        }

        if (sms.Segments > MaxSmsSegments)
        {
            flags.Add(new RiskFlag(
                RiskCodes.SmsTooLong,
                RiskSeverity.Block,
                $"The SMS needs {sms.Segments} {sms.Encoding} segments ({sms.Units} units); at most {MaxSmsSegments} are allowed.",
                body.Span(sms.ThirdSegmentStart, body.Text.Length - sms.ThirdSegmentStart)));
        }
    }

    private static void CheckSubject(GuardrailContext context, List<RiskFlag> flags)
    {
        var raw = context.Input.Subject;
        if (string.IsNullOrWhiteSpace(raw) || context.Subject is not { } subject)
        {
            flags.Add(new RiskFlag(RiskCodes.SubjectMissing, RiskSeverity.Block, "An e-mail needs a subject line."));
            return;
        }

        var text = subject.Text;
        var newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            // A line break in a subject is a header-injection risk, not a style issue.
            flags.Add(new RiskFlag(
                RiskCodes.SubjectMultiline, RiskSeverity.Block, "The subject contains a line break.", subject.Span(newline, 1)));
        }

        if (text.Length > SubjectWarnLength)
        {
            var severity = text.Length > SubjectBlockLength ? RiskSeverity.Block : RiskSeverity.Warn;
            flags.Add(new RiskFlag(
                RiskCodes.SubjectTooLong,
                severity,
                $"The subject has {text.Length} characters; keep it under {SubjectWarnLength} (inboxes truncate it).",
                subject.Span(SubjectWarnLength, text.Length - SubjectWarnLength)));
        }

        var trimmed = text.TrimStart();
        foreach (var prefix in (string[])["re:", "fwd:", "fw:"])
        {
            if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var at = text.Length - trimmed.Length;
                flags.Add(new RiskFlag(
                    RiskCodes.SubjectFakeReply,
                    RiskSeverity.Block,
                    "A first message must not pretend to be a reply or a forward.",
                    subject.Span(at, prefix.Length)));
                break;
            }
        }

        var letters = text.Count(char.IsLetter);
        if (letters > 3 && !text.Any(char.IsLower))
        {
            flags.Add(new RiskFlag(
                RiskCodes.SubjectAllCaps, RiskSeverity.Warn, "The subject is written in capitals.", subject.Span(0, text.Length)));
        }
    }

    private static string ChannelName(MessageChannel channel) => channel switch
    {
        MessageChannel.LinkedIn => "LinkedIn note",
        MessageChannel.Sms => "SMS",
        _ => "message",
    };
}
