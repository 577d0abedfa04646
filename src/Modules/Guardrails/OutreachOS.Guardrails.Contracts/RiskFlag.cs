namespace OutreachOS.Guardrails.Contracts;

public enum RiskSeverity
{
    /// <summary>Worth a look; does not fail the message.</summary>
    Warn,

    /// <summary>The message must not be sent as is.</summary>
    Block,
}

/// <summary>Which part of the message a span points into.</summary>
public enum MessagePart
{
    Body,
    Subject,
}

/// <summary>A region of the checked text: <paramref name="Start"/> and <paramref name="Length"/> are UTF-16 offsets into <paramref name="Part"/>.</summary>
public sealed record RiskSpan(int Start, int Length, string Text, MessagePart Part = MessagePart.Body);

/// <summary>One finding. <paramref name="Code"/> is a stable identifier from <see cref="RiskCodes"/>.</summary>
public sealed record RiskFlag(string Code, RiskSeverity Severity, string Detail, RiskSpan? Span = null);

/// <summary>How long one check took for one message (diagnostics only).</summary>
public sealed record CheckTiming(string Check, TimeSpan Elapsed);
