namespace OutreachOS.Guardrails.Contracts;

/// <summary>
/// Which "required element" checks apply. Outbound first-touch messages need all of them; an inbound
/// templated reply usually needs none (it answers a question rather than opening a conversation).
/// </summary>
public sealed record GuardrailRequirements(bool RequireGreeting, bool RequireCallToAction, bool RequireRelevance)
{
    /// <summary>Greeting, call to action and a context-based relevance reason are all required.</summary>
    public static GuardrailRequirements Outbound { get; } = new(true, true, true);

    /// <summary>Nothing structural is required; claims, spam, safety and length checks still run.</summary>
    public static GuardrailRequirements InboundReply { get; } = new(false, false, false);
}
