using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Projection;

/// <summary>Pure fold of a request's events into its record (what the GET, select, regenerate and replay read).</summary>
internal static class PersonalizationEvolve
{
    /// <summary>The record of a request's stream: every event with a known type, in order. Null for no request.</summary>
    public static PersonalizationRecord? Fold(IEnumerable<StoredEvent> events)
    {
        PersonalizationRecord? record = null;
        foreach (var e in events)
        {
            if (e.Data is not null)
            {
                record = Evolve(record, e.Data, e.Version);
            }
        }

        return record;
    }

    public static PersonalizationRecord? Evolve(PersonalizationRecord? s, object e, long version)
    {
        var next = (s, e) switch
        {
            (null, PersonalizationRequested r) => new PersonalizationRecord(r.RequestId, r.At, r.Request, [], null, [], [], [], 0, 0),
            (null, _) => null,
            (_, AttemptSetStarted a) => s with
            {
                AttemptSets = [.. s.AttemptSets, new AttemptSetDto(a.AttemptSet, a.Reason, a.VariantCount, a.Degraded, [], null, null, null) { StartedAt = a.At }],
            },
            (_, RegenerationRequested g) => s with { Regenerations = g.Regeneration },
            (_, CreditsReserved c) => s with
            {
                CreditMovements = [.. s.CreditMovements, new CreditMovementDto(CreditMovementKind.Reserved, c.ReservationId, c.Purpose, c.Credits, c.Available, null, c.At)],
            },
            (_, CreditsSettled c) => s with
            {
                CreditMovements = [.. s.CreditMovements, new CreditMovementDto(CreditMovementKind.Settled, c.ReservationId, c.Purpose, c.Charged, c.Remaining, null, c.At)],
            },
            (_, CreditsRefunded c) => s with
            {
                CreditMovements = [.. s.CreditMovements, new CreditMovementDto(CreditMovementKind.Refunded, c.ReservationId, c.Purpose, c.Released, c.Remaining, c.Reason, c.At)],
            },
            (_, PromptRendered p) => WithSet(s, p.AttemptSet, set => set with
            {
                Attempts = [.. set.Attempts, new AttemptDto(p.Attempt, p.Prompt, null, null, null, [], p.VariantIndexes, [], null)],
            }),
            (_, ModelResponded m) => WithAttempt(s, m.AttemptSet, m.Attempt, a => a with { Output = m.Output }),
            (_, ModelCallFailed f) => WithAttempt(s, f.AttemptSet, f.Attempt, a => a with { Failure = f.Error }),
            (_, ModelCallFailedV2 f) => WithAttempt(s, f.AttemptSet, f.Attempt, a => a with { Failure = f.Error }),
            (_, OutputRejected o) => WithAttempt(s, o.AttemptSet, o.Attempt, a => a with { ParseError = o.Reason }),
            (_, VariantsParsed v) => WithAttempt(s, v.AttemptSet, v.Attempt, a => a with { Variants = v.Variants, VariantIndexes = v.VariantIndexes }),
            (_, GuardrailsEvaluated g) => WithAttempt(s, g.AttemptSet, g.Attempt, a => a with { Verdicts = g.Verdicts }),
            (_, RetryRequested r) => WithAttempt(s, r.AttemptSet, r.NextAttempt - 1, a => a with { RetryReasons = r.Reasons }),
            (_, VariantsReturned v) => WithSet(s, v.AttemptSet, set => set with
            {
                Variants = v.Variants,
                FirstAttemptPassed = v.FirstAttemptChecked > 0 && v.FirstAttemptPassed == v.FirstAttemptChecked,
            }) with { Selection = null },
            (_, GenerationFailed f) => WithSet(s, f.AttemptSet, set => set with { Failure = f.Reason }),
            (_, VariantSelected v) => Select(s, v),
            (_, VariantEdited v) => WithSelection(s, sel => sel with { Message = v.EditedMessage, Edited = true, RiskFlags = v.Flags }),
            (_, BlockedVariantOverridden) => WithSelection(s, sel => sel with { Overridden = true }),
            (_, ReplayPerformed r) => s with { Replays = [.. s.Replays, r.Replay] },
            (_, ReplayPerformedV2 r) => s with { Replays = [.. s.Replays, r.Replay] },
            (_, IdempotencyKeyUsed k) => s with
            {
                IdempotencyKeys = [.. s.IdempotencyKeys, new IdempotentCallDto(k.Key, k.Operation, k.BodySha256, k.AttemptSet, k.Selection, k.ReplayId, k.At)],
            },
            _ => s,
        };
        return next is null ? null : next with { Version = version };
    }

    private static PersonalizationRecord Select(PersonalizationRecord s, VariantSelected v)
    {
        var set = s.AttemptSets.FirstOrDefault(x => x.Number == v.AttemptSet);
        var variant = set?.Variants is { } vs && v.VariantIndex < vs.Count ? vs[v.VariantIndex] : null;
        var selection = new SelectionDto(v.AttemptSet, v.VariantIndex, variant?.Message ?? "", false, false, variant?.RiskFlags ?? [], v.At);
        return s with { Selection = selection, SelectionHistory = [.. s.SelectionHistory, selection] };
    }

    private static PersonalizationRecord WithSelection(PersonalizationRecord s, Func<SelectionDto, SelectionDto> change)
    {
        if (s.Selection is null)
        {
            return s;
        }

        var updated = change(s.Selection);
        var history = s.SelectionHistory.ToList();
        if (history.Count > 0)
        {
            history[^1] = updated;
        }

        return s with { Selection = updated, SelectionHistory = history };
    }

    private static PersonalizationRecord WithSet(PersonalizationRecord s, int number, Func<AttemptSetDto, AttemptSetDto> change) =>
        s with { AttemptSets = [.. s.AttemptSets.Select(x => x.Number == number ? change(x) : x)] };

    private static PersonalizationRecord WithAttempt(PersonalizationRecord s, int set, int attempt, Func<AttemptDto, AttemptDto> change) =>
        WithSet(s, set, x => x with { Attempts = [.. x.Attempts.Select(a => a.Number == attempt ? change(a) : a)] });
}
