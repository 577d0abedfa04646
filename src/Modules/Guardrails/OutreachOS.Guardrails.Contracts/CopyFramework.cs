namespace OutreachOS.Guardrails.Contracts;

/// <summary>Copywriting structure the message was asked to follow (checked only when requested).</summary>
public enum CopyFramework
{
    /// <summary>Attention, Interest, Desire, Action.</summary>
    Aida,

    /// <summary>Problem, Agitate, Solve.</summary>
    Pas,

    /// <summary>Before, After, Bridge.</summary>
    Bab,
}
