namespace OutreachOS.Guardrails.Contracts;

/// <summary>Where a message will be delivered; decides the length rules and whether a greeting is expected.</summary>
public enum MessageChannel
{
    Email,
    LinkedIn,
    Sms,
}
