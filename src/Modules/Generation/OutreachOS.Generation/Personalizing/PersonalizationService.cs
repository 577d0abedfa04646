using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Credits.Contracts;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;
using OutreachOS.Generation.Guarding;
using OutreachOS.Generation.Projection;
using OutreachOS.Generation.Prompting;
using OutreachOS.Generation.Telemetry;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Llm;

namespace OutreachOS.Generation.Personalizing;

/// <summary>The use cases behind the /personalize endpoints: load → decide → append, with credits around model calls.</summary>
internal sealed class PersonalizationService(
    IEventStore store,
    ICreditLedger ledger,
    ILlmClient llm,
    IGuardrailEvaluator guardrails,
    AttemptSetRunner runner,
    GenerationOptions options,
    GenerationMetrics metrics,
    ISuppressionList suppressions,
    TimeProvider clock)
{
    public async Task<IResult> PersonalizeAsync(Caller caller, PersonalizeRequest request, string? idempotencyKey, CancellationToken ct)
    {
        var errors = IdempotentRequests.Check(idempotencyKey, PersonalizeValidation.Validate(request, options.RequireLeadEmail));
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A key names one request: a send after the first gets the first one's answer, and never a second charge.
        var requestId = idempotencyKey is null ? Guid.CreateVersion7() : IdempotentRequests.RequestIdFor(caller.TenantId, idempotencyKey);
        if (idempotencyKey is not null && await LoadAsync(caller.TenantId, requestId, ct) is { } existing)
        {
            return IdempotentRequests.RepeatPersonalize(existing, request, options, clock.GetUtcNow());
        }
        if (await SuppressedAsync(caller.TenantId, request, ct) is { } suppressed)
        {
            return suppressed;
        }
        var w = new StreamWriter(store, caller.TenantId, requestId, 0);
        w.Add(new PersonalizationRequested(requestId, request, caller.ApiKeyId, clock.GetUtcNow()));
        try
        {
            return await StartSetAsync(caller.TenantId, w, request, setNo: 1, regeneration: 0, ct);
        }
        catch (ConcurrencyException) when (idempotencyKey is not null)
        {
            // A concurrent send with the same key opened the request first (the stream's creation is the race).
            // The stream exists (the append met it) but folds to nothing: its data was erased (ADR 0030).
            return await LoadAsync(caller.TenantId, requestId, ct) is { } raced
                ? IdempotentRequests.RepeatPersonalize(raced, request, options, clock.GetUtcNow())
                : IdempotentRequests.Erased(requestId);
        }
    }

    public async Task<IResult> RegenerateAsync(Guid tenantId, Guid requestId, string? idempotencyKey, CancellationToken ct)
    {
        // A regeneration has no body: its fingerprint is that of an empty one.
        var call = new KeyedCall(tenantId, requestId, idempotencyKey, IdempotentRequests.Regenerate, null);
        var (record, answer) = await OpenAsync(call, ct);
        if (answer is not null)
        {
            return answer;
        }

        if (RunningSet(record) is { } running)
        {
            return StillRunning(running);
        }
        if (record.Regenerations >= options.MaxRegenerations)
        {
            return Problems.Conflict($"This request was already regenerated {record.Regenerations} time(s); the limit is {options.MaxRegenerations}.");
        }
        if (await SuppressedAsync(tenantId, record.Request, ct) is { } suppressed)
        {
            return suppressed;
        }

        var setNo = record.AttemptSets.Count + 1;
        var w = new StreamWriter(store, tenantId, requestId, record.Version);
        w.Add(new RegenerationRequested(setNo, record.Regenerations + 1, clock.GetUtcNow()));
        if (idempotencyKey is not null)
        {
            w.Add(new IdempotencyKeyUsed(idempotencyKey, call.Operation, call.Fingerprint, setNo, null, null, clock.GetUtcNow()));
        }
        try
        {
            // The new set must differ from what the user has seen: the earlier sets' messages, the latest first.
            var earlier = record.AttemptSets.AsEnumerable().Reverse().SelectMany(s => s.Variants ?? []).Select(v => v.Message).ToList();
            return await StartSetAsync(tenantId, w, record.Request, setNo, record.Regenerations + 1, ct, earlier);
        }
        catch (ConcurrencyException) when (idempotencyKey is not null)
        {
            // A concurrent call appended first. If it was a regeneration with this key, it is the answer; otherwise the
            // request moved on, and the conflict (409) is the answer. Same set, same reservation id: nothing was charged twice.
            if (await RepeatAfterRaceAsync(call, ct) is { } raced)
            {
                return raced;
            }
            throw;
        }
    }

    /// <summary>A call on a request (regenerate, select, replay), the <c>Idempotency-Key</c> that may name it, and its body's fingerprint.</summary>
    private sealed record KeyedCall(Guid TenantId, Guid RequestId, string? Key, string Operation, object? Body)
    {
        /// <summary>Computed when asked: only a call with a key needs it (a regeneration has no body: that of an empty one).</summary>
        public string Fingerprint => IdempotentRequests.Fingerprint(Body);
    }

    /// <summary>
    /// The common start of regenerate, select and replay: a malformed key is a 400, an unknown request a 404, and a key
    /// used before answers with that call's result. Otherwise the request's record and no answer.
    /// </summary>
    private async Task<(PersonalizationRecord Record, IResult? Answer)> OpenAsync(KeyedCall call, CancellationToken ct)
    {
        if (IdempotentRequests.Check(call.Key, new FieldErrors()) is { Any: true } invalid)
        {
            return (null!, invalid.ToProblem());
        }
        if (await LoadAsync(call.TenantId, call.RequestId, ct) is not { } record)
        {
            return (null!, Problems.NotFound("Personalization request"));
        }
        return (record, IdempotentRequests.Find(record, call.Key) is { } used
            ? IdempotentRequests.RepeatCall(record, used, call.Operation, call.Fingerprint, options, clock.GetUtcNow())
            : null);
    }

    /// <summary>After a version conflict of a keyed call: the answer of the call that won with the same key; null when another call won.</summary>
    private async Task<IResult?> RepeatAfterRaceAsync(KeyedCall call, CancellationToken ct) =>
        call.Key is not null && await LoadAsync(call.TenantId, call.RequestId, ct) is { } record && IdempotentRequests.Find(record, call.Key) is { } won
            ? IdempotentRequests.RepeatCall(record, won, call.Operation, call.Fingerprint, options, clock.GetUtcNow())
            : null;

    private async Task<IResult> StartSetAsync(Guid tenantId, StreamWriter w, PersonalizeRequest request, int setNo, int regeneration, CancellationToken ct,
        IReadOnlyList<string>? earlier = null)
    {
        var requested = request.VariantCount ?? 3;
        var perVariant = options.CreditsPerVariant;

        // Documented degradation (CreditPolicy): at ≤ 5% left, or when the balance covers fewer variants, serve what it
        // covers (at least one is attempted, so an empty balance still gets its 402). The ledger applies the rule to the
        // balance at the moment of the reservation, so concurrent requests degrade instead of failing with 402.
        int VariantsFor(CreditBalance b) => options.DegradeWhenCritical
            ? Math.Max(1, CreditPolicy.AllowedVariants(requested, b, perVariant))
            : requested;
        // What a reservation (new, or the original one on a retry) pays for.
        int VariantsOf(CreditReservation r) => Math.Min(requested, r.Reserved / perVariant);

        var reservationId = AttemptSetRunner.ReservationId(w.RequestId, setNo);
        if (perVariant == 0)
        {
            // Free generation: nothing to hold, so no reservation; the set is recorded like any other.
            w.Add(SetStarted(setNo, requested, requested));
            await w.FlushAsync(ct);
            return await FinishSetAsync(tenantId, w, request, setNo, regeneration, requested, requested, reservationId, 0, earlier, ct);
        }

        if (setNo == 1 && options.ChargeLocalAnswersInOnePass && !llm.SendsPromptsOutside)
        {
            // A local model spends nothing while it writes: the set is written first, then reserved and settled in one
            // ledger transaction with all of its events (ADR 0033). What that cannot decide alone (a degradation, a
            // failure) runs in two steps below, from the same buffer.
            var mark = w.PendingCount;
            w.Add(SetStarted(setNo, requested, requested));
            try
            {
                if (await runner.TryRunInOnePassAsync(w, tenantId, request, setNo, requested, reservationId, b => VariantsFor(b) * perVariant, ct) is { } done)
                {
                    return Answer(w.RequestId, done, setNo, regeneration, requested, requested);
                }
            }
            catch (InsufficientCreditsException e)
            {
                return PaymentRequired(e);
            }
            w.DropPendingFrom(mark);
        }

        CreditReservation reservation;
        try
        {
            // The reservation and the request's events (request, attempt set, hold) commit together, or neither does:
            // a conflicting regeneration of the same set rolls its reservation back with it.
            reservation = await ledger.ReserveAsync(tenantId, reservationId, b => VariantsFor(b) * perVariant, AttemptSetRunner.Purpose(setNo), r => w.PendingAppend(
                SetStarted(setNo, requested, VariantsOf(r)),
                new CreditsReserved(reservationId, AttemptSetRunner.Purpose(setNo), r.Reserved, r.Balance.Available, clock.GetUtcNow())), ct);
            w.Committed();
        }
        catch (InsufficientCreditsException e)
        {
            return PaymentRequired(e);
        }

        return await FinishSetAsync(tenantId, w, request, setNo, regeneration, requested, VariantsOf(reservation), reservationId, reservation.Reserved, earlier, ct);
    }

    /// <summary>The start of attempt set <paramref name="setNo"/>: <paramref name="count"/> of the <paramref name="requested"/> variants (fewer: degraded).</summary>
    private AttemptSetStarted SetStarted(int setNo, int requested, int count) =>
        new(setNo, setNo == 1 ? "initial" : "regeneration", requested, count, count < requested, clock.GetUtcNow());

    private async Task<IResult> FinishSetAsync(Guid tenantId, StreamWriter w, PersonalizeRequest request, int setNo, int regeneration, int requested, int count,
        Guid reservationId, int reserved, IReadOnlyList<string>? earlier, CancellationToken ct)
    {
        var result = await runner.RunAsync(w, tenantId, request, setNo, count, reservationId, reserved, earlier, ct);
        return Answer(w.RequestId, result, setNo, regeneration, requested, count);
    }

    private IResult Answer(Guid requestId, AttemptSetResult result, int setNo, int regeneration, int requested, int count) =>
        result.Failed
            ? GenerationFailed(requestId, result.Failure!, result.Attempts)
            : TypedResults.Ok(new PersonalizeResponse(requestId, result.Variants, result.Attempts, new CreditsDto(result.Charged, result.Remaining),
                setNo, count < requested, Math.Max(0, options.MaxRegenerations - regeneration)));

    public async Task<IResult> GetAsync(Guid tenantId, Guid requestId, CancellationToken ct)
    {
        // One read: the stream, verified, is both the audit view (events in order with their hash-chain links) and the
        // source of the record, folded here.
        var stream = await store.ReadVerifiedAsync(tenantId, PersonalizationStreams.For(requestId), ct);
        if (stream is null || PersonalizationEvolve.Fold(stream.Events) is not { } record)
        {
            return Problems.NotFound("Personalization request");
        }

        var list = stream.Events.Select(e => new AuditEventDto(e.Version, e.EventType, e.CreatedAt, e.HashHex,
            System.Text.Json.JsonDocument.Parse(e.Json).RootElement.Clone())).ToList();
        return TypedResults.Ok(record with { Events = list, ChainValid = stream.Verification.Valid });
    }

    /// <summary>The answer when an attempt set produced no usable variant (its credits were refunded).</summary>
    internal static IResult GenerationFailed(Guid requestId, string failure, int attempts) =>
        TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Generation failed",
            detail: $"No usable variant was produced: {failure}. The credits were refunded.",
            type: "https://outreachos.dev/problems/generation-failed",
            extensions: new Dictionary<string, object?> { ["request_id"] = requestId, ["attempts"] = attempts });

    /// <summary>
    /// The request's record, folded from its stream (ADR 0021): always what the log says, at the version the next append
    /// must expect. Null when the organization has no such request.
    /// </summary>
    private async Task<PersonalizationRecord?> LoadAsync(Guid tenantId, Guid requestId, CancellationToken ct) =>
        PersonalizationEvolve.Fold(await store.ReadStreamAsync(tenantId, PersonalizationStreams.For(requestId), ct: ct));

    /// <summary>
    /// The request's latest attempt set while it may still be running: no variants and no failure yet, and started less
    /// than <c>Credits:ReservationTimeout</c> ago (an older one was abandoned by a process that stopped). A selection
    /// would be of an older set, and cleared by this one's answer; a regeneration would start a set beside it.
    /// </summary>
    private AttemptSetDto? RunningSet(PersonalizationRecord record) =>
        record.AttemptSets.LastOrDefault() is { Variants: null, Failure: null } last
            && (last.StartedAt is not { } started || clock.GetUtcNow() - started <= options.AbandonedAfter)
            ? last
            : null;

    private static IResult StillRunning(AttemptSetDto running) =>
        new WithRetryAfter(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Generation in progress",
            detail: $"Attempt set {running.Number} of this request is still being generated; send this again once it has answered.",
            type: "https://outreachos.dev/problems/generation-in-progress",
            extensions: new Dictionary<string, object?> { ["attempt_set"] = running.Number }));

    /// <summary>A 409 that is worth retrying shortly.</summary>
    private sealed class WithRetryAfter(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return inner.ExecuteAsync(httpContext);
        }
    }

    public async Task<IResult> SelectAsync(Caller caller, Guid requestId, SelectVariantRequest body, string? idempotencyKey, CancellationToken ct)
    {
        var call = new KeyedCall(caller.TenantId, requestId, idempotencyKey, IdempotentRequests.Select, body);
        var (record, answer) = await OpenAsync(call, ct);
        if (answer is not null)
        {
            return answer;
        }

        if (RunningSet(record) is { } running)
        {
            return StillRunning(running); // nothing written: the running set's answer would clear the selection
        }
        var set = record.AttemptSets.LastOrDefault(s => s.Variants is { Count: > 0 });
        if (set is null)
        {
            return Problems.Conflict("This request has no variants to select.");
        }
        if (await SuppressedAsync(caller.TenantId, record.Request, ct) is { } suppressed)
        {
            return suppressed; // a selection is the step before sending
        }

        var errors = new FieldErrors();
        if (body.VariantIndex is null)
        {
            errors.Add("variant_index", "is required");
        }
        else if (body.VariantIndex < 0 || body.VariantIndex >= set.Variants!.Count)
        {
            errors.Add("variant_index", $"must be between 0 and {set.Variants!.Count - 1}");
        }

        if (body.EditedMessage is not null)
        {
            errors.Required("edited_message", body.EditedMessage, 5000);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var index = body.VariantIndex!.Value;
        var variant = set.Variants![index];
        var now = clock.GetUtcNow();
        var events = new List<object> { new VariantSelected(set.Number, index, caller.ApiKeyId, now) };
        // What is selected is checked now, under the organization's current guardrail policy (a phrase or a competitor may
        // have been forbidden since the variant was written): an edit like a model answer, since a human can introduce an
        // unsourced claim too; an unedited variant keeps the findings it was returned with and adds today's.
        var message = body.EditedMessage?.Trim() ?? variant.Message;
        var report = await guardrails.EvaluateAsync(GuardrailMapping.For(record.Request, variant.Subject, message, caller.TenantId), ct);
        var current = GuardrailMapping.ToDtos(GuardrailMapping.Relevant(record.Request, report));
        IEnumerable<RiskFlagDto> flags = current;
        if (body.EditedMessage is not null)
        {
            events.Add(new VariantEdited(set.Number, index, message, current, now));
        }
        else
        {
            flags = variant.RiskFlags.Concat(current);
        }

        var blocking = flags.Where(f => f.Severity == FlagSeverity.Block).Select(f => f.Code).Distinct().ToList();
        if (blocking.Count > 0)
        {
            if (body.Override != true)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Variant is blocked",
                    detail: $"Variant {index} has blocking guardrail findings ({string.Join(", ", blocking)}); send \"override\": true to select it anyway (recorded).",
                    type: "https://outreachos.dev/problems/variant-blocked",
                    extensions: new Dictionary<string, object?> { ["blocking_codes"] = blocking });
            }

            events.Add(new BlockedVariantOverridden(set.Number, index, blocking, caller.ApiKeyId, now));
            metrics.Override();
        }

        if (idempotencyKey is not null)
        {
            events.Add(new IdempotencyKeyUsed(idempotencyKey, call.Operation, call.Fingerprint, null, record.SelectionHistory.Count + 1, null, now));
        }

        var w = new StreamWriter(store, caller.TenantId, requestId, record.Version);
        foreach (var e in events)
        {
            w.Add(e);
        }

        try
        {
            await w.FlushAsync(ct);
        }
        catch (ConcurrencyException) when (idempotencyKey is not null)
        {
            if (await RepeatAfterRaceAsync(call, ct) is { } raced)
            {
                return raced;
            }
            throw;
        }
        var after = events.Aggregate((PersonalizationRecord?)record, (s, e) => PersonalizationEvolve.Evolve(s, e, record.Version));
        return TypedResults.Ok(after!.Selection);
    }

    public async Task<IResult> ReplayAsync(Guid tenantId, Guid requestId, ReplayRequest body, string? idempotencyKey, CancellationToken ct)
    {
        var call = new KeyedCall(tenantId, requestId, idempotencyKey, IdempotentRequests.Replay, body);
        var (record, answer) = await OpenAsync(call, ct);
        if (answer is not null)
        {
            return answer;
        }

        if (body.Model is { } m && !options.ReplayModels.Contains(m.Trim(), StringComparer.Ordinal))
        {
            // Only models the operator chose (and priced): any other name would spend the operator's provider key on
            // whatever model it reaches, at the normal credit price.
            return new FieldErrors().Add("model", $"must be one of the models replay may use: {string.Join(", ", options.ReplayModels)} (Generation:ReplayModels)").ToProblem();
        }

        var set = record.AttemptSets.LastOrDefault(s => s.Attempts.Count > 0);
        if (set is null)
        {
            return Problems.Conflict("This request has no stored prompt to replay.");
        }

        var original = set.Attempts[0];
        // A key names the replay: a repeat derives the same replay and reservation ids, so it can never hold credits twice.
        var replayId = idempotencyKey is null ? Guid.CreateVersion7() : DeterministicId.For(requestId, "replay-idempotency-key:" + idempotencyKey);
        var reservationId = DeterministicId.For(requestId, $"replay:{replayId:N}");
        var expected = original.VariantIndexes.Count;
        var stream = PersonalizationStreams.For(requestId);
        // A replay does not depend on the request's current state, so it appends at any version (no 409 after paying).
        // A keyed one opens at the version it read: of two concurrent calls with one key, one records the key and the
        // other meets a conflict before its model call, and then answers from the winner's record.
        StreamAppend Append(ExpectedVersion at, params object[] events) =>
            new(tenantId, stream, PersonalizationStreams.Type, at, [.. events.Select(e => EventToAppend.Create(e))]);
        object[] KeyUsed() => idempotencyKey is null ? [] : [new IdempotencyKeyUsed(idempotencyKey, call.Operation, call.Fingerprint, null, null, replayId, clock.GetUtcNow())];
        var opening = idempotencyKey is null ? ExpectedVersion.Any : ExpectedVersion.Exactly(record.Version);
        const string purpose = SetOutcomes.ReplayPurpose;
        // Free generation (CreditsPerVariant = 0) holds nothing: only a key is recorded before the model call.
        CreditReservation? reservation = null;
        try
        {
            if (options.CreditsPerVariant == 0)
            {
                if (idempotencyKey is not null)
                {
                    await store.AppendManyAsync([Append(opening, KeyUsed())], ct);
                }
            }
            else
            {
                reservation = await ledger.ReserveAsync(tenantId, reservationId, expected * options.CreditsPerVariant, purpose, r =>
                    [Append(opening, [.. KeyUsed(), new CreditsReserved(reservationId, purpose, r.Reserved, r.Balance.Available, clock.GetUtcNow())])], ct);
            }
        }
        catch (InsufficientCreditsException e)
        {
            return PaymentRequired(e);
        }
        catch (ConcurrencyException) when (idempotencyKey is not null)
        {
            if (await RepeatAfterRaceAsync(call, ct) is { } raced)
            {
                return raced;
            }
            throw;
        }

        ReplayDto replay;
        try
        {
            replay = await RunReplayAsync(tenantId, record, set.Number, original, body.Model?.Trim(), replayId, ct);
        }
        catch (Exception e)
        {
            // Cancelled or failed mid-way: release the hold, and record the replay's end with the refund so that the audit
            // shows it and a repeat of its key gets this answer rather than "in progress".
            var reason = e is OperationCanceledException ? "replay aborted: the call was cancelled" : "replay aborted";
            var aborted = new ReplayDto(requestId, replayId, set.Number, original.Number, body.Model?.Trim(), null, reason, null, [], [], null, clock.GetUtcNow());
            if (reservation is null)
            {
                await store.AppendManyAsync([Append(ExpectedVersion.Any, new ReplayPerformedV2(aborted))], CancellationToken.None);
            }
            else
            {
                await ledger.RefundAsync(tenantId, reservationId, reason, b =>
                    [Append(ExpectedVersion.Any, new ReplayPerformedV2(aborted), new CreditsRefunded(reservationId, purpose, reservation.Reserved, b.Available, reason, clock.GetUtcNow()))],
                    CancellationToken.None);
            }
            throw;
        }

        // The charge (or the refund) and the replay's record commit together.
        if (reservation is null)
        {
            await store.AppendManyAsync([Append(ExpectedVersion.Any, new ReplayPerformedV2(replay))], CancellationToken.None);
        }
        else if (replay.Variants.Count > 0)
        {
            var charged = replay.Variants.Count * options.CreditsPerVariant;
            await ledger.SettleAsync(tenantId, reservationId, charged, b =>
                [Append(ExpectedVersion.Any, new ReplayPerformedV2(replay), new CreditsSettled(reservationId, purpose, charged, b.Available, clock.GetUtcNow()))],
                CancellationToken.None); // the model has answered: charged and recorded even if the caller has gone
        }
        else
        {
            var reason = replay.Failure ?? replay.ParseError ?? "no variants";
            await ledger.RefundAsync(tenantId, reservationId, reason, b =>
                [Append(ExpectedVersion.Any, new ReplayPerformedV2(replay), new CreditsRefunded(reservationId, purpose, reservation.Reserved, b.Available, reason, clock.GetUtcNow()))],
                CancellationToken.None);
        }
        return TypedResults.Ok(replay);
    }

    private async Task<ReplayDto> RunReplayAsync(Guid tenantId, PersonalizationRecord record, int setNo, AttemptDto original, string? model, Guid replayId, CancellationToken ct)
    {
        var request = record.Request;
        ModelOutputDto? output = null;
        string? failure = null;
        var failureCost = 0m;
        string? parseError = null;
        IReadOnlyList<ParsedVariantDto> variants = [];
        var verdicts = new List<VerdictDto>();
        try
        {
            output = AttemptSetRunner.ToOutput(await llm.CompleteAsync(PromptRenderer.ToLlm(original.Prompt, model), ct));
        }
        catch (LlmCallFailedException e)
        {
            failure = $"the model call failed ({e.Provider}, {(e.StatusCode is { } s ? $"HTTP {s}" : "no response")}): {e.Message}";
            failureCost = e.CostUsd; // a refusal was billed
        }

        if (output is not null)
        {
            var parsed = VariantParser.Parse(output.Raw, original.VariantIndexes.Count, PromptRenderer.IncludeSubjects(request));
            parseError = parsed.Error;
            variants = parsed.Variants;
            var reports = await guardrails.EvaluateVariantsAsync([.. variants.Select(v => GuardrailMapping.For(request, v, tenantId))], ct);
            for (var i = 0; i < reports.Count; i++)
            {
                var relevant = GuardrailMapping.Relevant(request, reports[i]);
                verdicts.Add(new VerdictDto(i, GuardrailMapping.Passed(relevant), GuardrailMapping.ToDtos(relevant)));
            }
        }

        var comparison = output is null ? null : Compare(original, output, variants, verdicts, model);
        return new ReplayDto(record.RequestId, replayId, setNo, original.Number, model, output, failure, parseError, variants, verdicts, comparison, clock.GetUtcNow(),
            failureCost);
    }

    private static ComparisonDto Compare(AttemptDto original, ModelOutputDto output, IReadOnlyList<ParsedVariantDto> variants, List<VerdictDto> verdicts, string? model)
    {
        var rows = new List<VariantComparisonDto>();
        for (var i = 0; i < variants.Count; i++)
        {
            var before = i < original.Variants.Count ? original.Variants[i] : null;
            var beforeVerdict = original.Verdicts.FirstOrDefault(v => v.VariantIndex == (i < original.VariantIndexes.Count ? original.VariantIndexes[i] : -1));
            var beforeCodes = beforeVerdict?.Flags.Select(f => f.Code).ToHashSet() ?? [];
            var afterCodes = verdicts[i].Flags.Select(f => f.Code).ToHashSet();
            rows.Add(new VariantComparisonDto(i, before is not null && before.Message == variants[i].Message && before.Subject == variants[i].Subject,
                beforeVerdict?.Passed, verdicts[i].Passed,
                [.. afterCodes.Except(beforeCodes).Order(StringComparer.Ordinal)], [.. beforeCodes.Except(afterCodes).Order(StringComparer.Ordinal)]));
        }

        return new ComparisonDto(original.Output?.Raw == output.Raw, original.Output?.Model ?? "", model ?? output.Model,
            original.Output is null ? null : original.ParseError is null, variants.Count > 0,
            original.Variants.Count, variants.Count, rows);
    }

    /// <summary>
    /// 422 when the lead's address is on the organization's do-not-contact list (ADR 0031): nothing is written or
    /// charged. A request without an address is not checked.
    /// </summary>
    private async Task<IResult?> SuppressedAsync(Guid tenantId, PersonalizeRequest request, CancellationToken ct) =>
        request.Lead?.Email is { } email && await suppressions.FindAsync(tenantId, email, ct) is { } entry
            ? TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The lead is on the do-not-contact list",
                detail: $"The lead's address was suppressed on {entry.SuppressedAt:yyyy-MM-dd} ({entry.Source}). Nothing was generated or charged; "
                    + "an ADMIN key can lift it with POST /suppressions/{email}/lift if the contact opted back in.",
                type: "https://outreachos.dev/problems/recipient-suppressed",
                extensions: new Dictionary<string, object?> { ["field"] = "lead.email", ["source"] = entry.Source, ["suppressed_at"] = entry.SuppressedAt })
            : null;

    private static IResult PaymentRequired(InsufficientCreditsException e) =>
        TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "Out of credits", detail: e.Message,
            type: "https://outreachos.dev/problems/out-of-credits",
            extensions: new Dictionary<string, object?>
            {
                ["requested"] = e.Requested,
                ["available"] = e.Balance.Available,
                ["allowance"] = e.Balance.Allowance,
                ["period"] = e.Balance.Period,
            });
}
