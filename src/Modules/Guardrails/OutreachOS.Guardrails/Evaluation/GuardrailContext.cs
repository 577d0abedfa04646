using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>Immutable, pre-computed view of one input shared by all checks (safe to read from several threads).</summary>
internal sealed class GuardrailContext
{
    public GuardrailContext(GuardrailInput input, SourceIndex? sources = null)
    {
        Input = input;
        Sources = sources ?? new SourceIndex(input);
        Body = new MessageText(MessagePart.Body, input.Message ?? string.Empty);
        Subject = input.Channel == MessageChannel.Email && !string.IsNullOrEmpty(input.Subject)
            ? new MessageText(MessagePart.Subject, input.Subject)
            : null;
        Parts = Subject is null ? [Body] : [Subject, Body];
    }

    public GuardrailInput Input { get; }

    public SourceIndex Sources { get; }

    public MessageText Body { get; }

    /// <summary>Only e-mail subjects are checked; other channels have none.</summary>
    public MessageText? Subject { get; }

    /// <summary>Subject (when present) then body: the texts that content checks scan.</summary>
    public IReadOnlyList<MessageText> Parts { get; }
}
