using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Personalizing;

/// <summary>Which events of other calls an attempt set's runner lets land between its appends.</summary>
internal static class SetOutcomes
{
    /// <summary>
    /// Replay and select events: a replay re-sends a stored prompt and records its own answer and credits (its hold, charge
    /// and refund have purpose <c>replay</c>), and a selection names a variant of a set that has answered. Neither changes
    /// what a running set's answer means, so the set records its outcome after them instead of losing a paid answer to a
    /// version conflict. Anything else (another set, this set's own outcome already recorded, a regeneration) is not.
    /// </summary>
    public static bool UnaffectedBy(object e) => e switch
    {
        ReplayPerformed or ReplayPerformedV2 or VariantSelected or VariantEdited or BlockedVariantOverridden => true,
        CreditsReserved { Purpose: ReplayPurpose } or CreditsSettled { Purpose: ReplayPurpose } or CreditsRefunded { Purpose: ReplayPurpose } => true,
        IdempotencyKeyUsed k => k.Operation is IdempotentRequests.Select or IdempotentRequests.Replay,
        _ => false,
    };

    /// <summary>The purpose of a replay's credit movements.</summary>
    public const string ReplayPurpose = "replay";
}
