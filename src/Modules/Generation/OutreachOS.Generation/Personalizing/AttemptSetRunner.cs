using Microsoft.Extensions.Logging;
using OutreachOS.Credits.Contracts;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;
using OutreachOS.Generation.Guarding;
using OutreachOS.Generation.Prompting;
using OutreachOS.Generation.Telemetry;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Llm;

namespace OutreachOS.Generation.Personalizing;

internal sealed record AttemptSetResult(IReadOnlyList<VariantDto> Variants, int Attempts, string? Failure, int Charged, int Remaining)
{
    public bool Failed => Failure is not null;
}

/// <summary>
/// Runs one attempt set: render → call the model → parse strictly → guardrails on every variant concurrently. Any
/// BLOCK (or an unparseable answer) triggers exactly one retry with the reasons injected into the prompt; the retry
/// rewrites only the blocked variants. Then settles the credit reservation (charging returned variants only) or
/// refunds it when nothing usable came back. Provider failures are not retried here: the SDK already spent its
/// bounded retries, and retrying again would multiply billed calls.
/// </summary>
internal sealed partial class AttemptSetRunner(
    ILlmClient llm,
    IGuardrailEvaluator guardrails,
    IGuardrailPolicyReader guardrailPolicies,
    ICreditLedger ledger,
    PromptRenderer renderer,
    GenerationOptions options,
    GenerationMetrics metrics,
    TimeProvider clock,
    ILogger<AttemptSetRunner> logger)
{
    public const int MaxAttempts = 2;

    /// <param name="reserved">The credits held for the set; 0 when generation is free (<c>CreditsPerVariant = 0</c>):
    /// nothing was reserved, so nothing is settled or refunded, and the outcome is appended alone.</param>
    /// <param name="earlier">On a regeneration, the earlier sets' messages (most recent first) the new ones must differ from.</param>
    public async Task<AttemptSetResult> RunAsync(StreamWriter w, Guid tenantId, PersonalizeRequest request, int setNo, int count,
        Guid reservationId, int reserved, IReadOnlyList<string>? earlier, CancellationToken ct)
    {
        // Replays and selections may land while the model works: the set records its outcome after them (SetOutcomes).
        w.MayInterleave = SetOutcomes.UnaffectedBy;
        var free = reserved == 0;
        var settledOrRefunded = false;
        try
        {
            var run = await AttemptAsync(w, request, setNo, count, earlier, ct);
            var (attempts, failure) = (run.Attempts, run.Failure);
            run.Observed.CountIn(metrics);
            var present = run.Present();
            if (present.Count == 0)
            {
                var reason = failure ?? "the model returned no usable variant";
                var refunded = free ? await ledger.GetBalanceAsync(tenantId, CancellationToken.None) : await ledger.RefundAsync(tenantId, reservationId, reason, ct);
                settledOrRefunded = true;
                await RecordFailureAsync(w, setNo, reservationId, reserved, refunded.Available, reason, ct);
                return new AttemptSetResult([], attempts, reason, 0, refunded.Available);
            }

            var variants = run.Variants(request, present);
            var charged = present.Count * options.CreditsPerVariant;
            // The charge and the request's record of it (variants, verdicts, settlement) commit in one transaction. Only
            // the settlement depends on the ledger's answer; the rest is buffered (and serialised) here.
            w.Add(run.Returned(setNo, variants, clock.GetUtcNow()));
            if (free)
            {
                // Nothing to settle: the outcome alone, and the balance as it is.
                await w.FlushAsync(CancellationToken.None);
                settledOrRefunded = true;
                return new AttemptSetResult(variants, attempts, null, 0, (await ledger.GetBalanceAsync(tenantId, CancellationToken.None)).Available);
            }
            // Not the caller's token: the model has answered, so the outcome is charged and recorded even if the caller
            // has gone (a repeat of its Idempotency-Key then gets it). A replay or selection that landed meanwhile makes the
            // settlement's group fail on the stream's version, and leaves the hold as it was: the writer catches up with
            // it and settles again (idempotent by reservation id).
            var balance = await w.CatchingUpAsync(() => ledger.SettleAsync(tenantId, reservationId, charged, b => w.PendingAppend(
                new CreditsSettled(reservationId, Purpose(setNo), charged, b.Available, clock.GetUtcNow())), CancellationToken.None), CancellationToken.None);
            w.Committed();
            settledOrRefunded = true;
            return new AttemptSetResult(variants, attempts, null, charged, balance.Available);
        }
        catch (Exception e) when (!settledOrRefunded)
        {
            // Crash, cancellation or database failure mid-way: release the hold (idempotent by reservation id), and record
            // the end of the set with what it had done, so the audit shows it and a repeat of its Idempotency-Key gets
            // this failure instead of "in progress". The append catches up only with replays and selections, so it
            // cannot land after a settlement that committed; a database that is gone leaves the sweeper's release and
            // the key's abandonment rule (IdempotentRequests) to answer.
            var reason = e is OperationCanceledException ? "generation aborted: the call was cancelled" : "generation aborted";
            try
            {
                var refunded = free ? await ledger.GetBalanceAsync(tenantId, CancellationToken.None) : await ledger.RefundAsync(tenantId, reservationId, reason, CancellationToken.None);
                // Variants buffered for a settlement that did not commit were refunded: they are not the set's outcome.
                w.DropPending<VariantsReturned>();
                await RecordFailureAsync(w, setNo, reservationId, reserved, refunded.Available, reason, CancellationToken.None);
            }
            catch (Exception recording)
            {
                // Already settled by a group that committed, or the database is unreachable: nothing more can be recorded
                // here, and the caller gets the original exception below. Logged, so the set's fate is not silent.
                LogFailureNotRecorded(logger, recording, w.RequestId, setNo, reason, e.GetType().Name);
            }
            throw;
        }
    }

    /// <summary>
    /// The set in one ledger pass (ADR 0033), for a model that runs in the process and spends nothing: the attempts are
    /// written first, then the reservation and its settlement commit in one ledger transaction with every event the set
    /// buffered (the credit events last, where they happened). Null, with nothing recorded, charged or counted, when that
    /// cannot stand for the two-step set: the balance decides another number of variants (a degradation), nothing usable
    /// came back, the attempts failed, or the id was reserved before. The caller then drops what the set buffered and runs
    /// it in two steps, which records those outcomes as always. A cancellation is thrown: nothing was recorded or charged.
    /// <see cref="InsufficientCreditsException"/> is thrown as a reservation throws it.
    /// </summary>
    public async Task<AttemptSetResult?> TryRunInOnePassAsync(StreamWriter w, Guid tenantId, PersonalizeRequest request, int setNo, int count,
        Guid reservationId, Func<CreditBalance, int> creditsFor, CancellationToken ct)
    {
        AttemptsRun run;
        try
        {
            run = await AttemptAsync(w, request, setNo, count, null, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
        var present = run.Present();
        if (present.Count == 0)
        {
            return null;
        }

        var variants = run.Variants(request, present);
        var charged = present.Count * options.CreditsPerVariant;
        var purpose = Purpose(setNo);
        w.Add(run.Returned(setNo, variants, clock.GetUtcNow()));
        // Not the caller's token once the work is done, as for a settlement: a caller that has gone still gets its request
        // recorded and charged (a repeat of its Idempotency-Key then answers with it).
        var charge = await ledger.ChargeAsync(tenantId, reservationId, creditsFor, count * options.CreditsPerVariant, charged, purpose, (r, b) => w.PendingAppend(
            new CreditsReserved(reservationId, purpose, r.Reserved, r.Balance.Available, clock.GetUtcNow()),
            new CreditsSettled(reservationId, purpose, charged, b.Available, clock.GetUtcNow())), CancellationToken.None);
        if (charge is null)
        {
            return null;
        }
        w.Committed();
        run.Observed.CountIn(metrics);
        return new AttemptSetResult(variants, run.Attempts, null, charged, charge.Balance.Available);
    }

    /// <summary>The end of a set that produced nothing: its failure and the refund of its hold (if it had one), appended together.</summary>
    private Task RecordFailureAsync(StreamWriter w, int setNo, Guid reservationId, int reserved, int available, string reason, CancellationToken ct)
    {
        w.Add(new GenerationFailed(setNo, reason, clock.GetUtcNow()));
        if (reserved > 0)
        {
            w.Add(new CreditsRefunded(reservationId, Purpose(setNo), reserved, available, reason, clock.GetUtcNow()));
        }
        return w.FlushAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Attempt set {AttemptSet} of personalization request {RequestId} ended ({Reason}, {Error}) but its end could not be recorded on the request's stream")]
    private static partial void LogFailureNotRecorded(ILogger logger, Exception exception, Guid requestId, int attemptSet, string reason, string error);

    public static string Purpose(int setNo) => setNo == 1 ? "personalize" : "regenerate";

    /// <summary>Same request and attempt set → same reservation id: a retried call holds, settles or refunds credits once.</summary>
    public static Guid ReservationId(Guid requestId, int setNo) => DeterministicId.For(requestId, $"set:{setNo}");

    private async Task<AttemptsRun> AttemptAsync(StreamWriter w, PersonalizeRequest request, int setNo, int count, IReadOnlyList<string>? earlier, CancellationToken ct)
    {
        var final = new ParsedVariantDto?[count];
        var flags = new IReadOnlyList<RiskFlag>?[count];
        IReadOnlyList<int> pending = [.. Enumerable.Range(0, count)];
        string? feedback = null;
        string? failure = null;
        var attempts = 0;
        var firstPassed = 0;
        var firstChecked = 0;
        var observed = new ObservedMetrics();
        // The organization's lists are read once for the set: the context screen and every attempt's variants use them.
        var lists = await guardrailPolicies.ReadAsync(w.TenantId, ct);
        // Wording of the lead's context that the guardrails would refuse is named in the prompt before the model writes.
        var avoid = await GuardrailMapping.WordingToAvoidAsync(guardrails, request, lists, ct);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var prompt = renderer.Render(request, pending, feedback, avoid, earlier);
            w.Add(new PromptRendered(setNo, attempt, prompt, pending, clock.GetUtcNow()));
            if (llm.SendsPromptsOutside)
            {
                await w.FlushAsync(ct); // the prompt is on record before it leaves the process
            }
            attempts++;

            LlmCompletion completion;
            try
            {
                completion = await llm.CompleteAsync(PromptRenderer.ToLlm(prompt), ct);
            }
            catch (LlmCallFailedException e)
            {
                w.Add(new ModelCallFailedV2(setNo, attempt, e.Provider, e.Model, e.Message, e.StatusCode, e.Attempts, e.InputTokens, e.OutputTokens, e.CostUsd, clock.GetUtcNow()));
                failure = $"the model call failed ({e.Provider}, {(e.StatusCode is { } s ? $"HTTP {s}" : "no response")})";
                if (attempt == 1)
                {
                    observed.FirstAttempt(0, count);
                    firstChecked = count;
                }

                break;
            }

            w.Add(new ModelResponded(setNo, attempt, ToOutput(completion), clock.GetUtcNow()));
            var parsed = VariantParser.Parse(completion.Text, pending.Count, PromptRenderer.IncludeSubjects(request));
            if (!parsed.Ok)
            {
                w.Add(new OutputRejected(setNo, attempt, parsed.Error!, clock.GetUtcNow()));
                failure = $"the model's answer was not the required JSON: {parsed.Error}";
                if (attempt == 1)
                {
                    observed.FirstAttempt(0, count);
                    firstChecked = count;
                    feedback = $"Your previous answer was rejected: {parsed.Error}. Answer with the JSON object only, exactly in the required shape, with {pending.Count} variant(s).";
                    w.Add(new RetryRequested(setNo, attempt + 1, pending, feedback, clock.GetUtcNow()));
                    observed.Retry("unparseable");
                }

                continue;
            }

            failure = null;
            var indexes = pending.Take(parsed.Variants.Count).ToList();
            w.Add(new VariantsParsed(setNo, attempt, parsed.Variants, indexes, clock.GetUtcNow()));
            var reports = await guardrails.EvaluateVariantsAsync([.. parsed.Variants.Select(v => GuardrailMapping.For(request, v, lists))], ct);
            var verdicts = new List<VerdictDto>(indexes.Count);
            for (var j = 0; j < indexes.Count; j++)
            {
                var relevant = GuardrailMapping.Relevant(request, reports[j]);
                final[indexes[j]] = parsed.Variants[j];
                flags[indexes[j]] = relevant;
                verdicts.Add(new VerdictDto(indexes[j], GuardrailMapping.Passed(relevant), GuardrailMapping.ToDtos(relevant)));
            }

            var passed = verdicts.Count(v => v.Passed);
            w.Add(new GuardrailsEvaluated(setNo, attempt, verdicts, passed, verdicts.Count, clock.GetUtcNow()));
            if (attempt == 1)
            {
                firstPassed = passed;
                firstChecked = count;
                observed.FirstAttempt(passed, count - passed);
            }

            var blocked = Enumerable.Range(0, count).Where(i => final[i] is null || !GuardrailMapping.Passed(flags[i]!)).ToList();
            if (blocked.Count == 0 || attempt == MaxAttempts)
            {
                break;
            }

            feedback = GuardrailMapping.RetryFeedback([.. blocked.Where(i => flags[i] is not null).Select(i => (i, flags[i]!))]);
            if (blocked.Any(i => final[i] is null))
            {
                feedback += $"Also write the missing variant(s): {string.Join(", ", blocked.Where(i => final[i] is null).Select(i => i + 1))}.\n";
            }

            pending = blocked;
            w.Add(new RetryRequested(setNo, attempt + 1, pending, feedback, clock.GetUtcNow()));
            observed.Retry("blocked");
        }

        return new AttemptsRun(final, flags, attempts, firstPassed, firstChecked, failure, observed);
    }

    /// <summary>What a set's attempts produced: the final variant and findings at each index (null: never parsed).</summary>
    private sealed record AttemptsRun(ParsedVariantDto?[] Final, IReadOnlyList<RiskFlag>?[] Flags, int Attempts, int FirstPassed, int FirstChecked,
        string? Failure, ObservedMetrics Observed)
    {
        public List<int> Present() => [.. Enumerable.Range(0, Final.Length).Where(i => Final[i] is not null)];

        public List<VariantDto> Variants(PersonalizeRequest request, List<int> present) => [.. present.Select(i => ToVariant(request, Final[i]!, Flags[i]!))];

        public VariantsReturned Returned(int setNo, List<VariantDto> variants, DateTimeOffset at) => new(setNo, variants, Attempts, FirstPassed, FirstChecked, at);
    }

    /// <summary>What a set's attempts count in the metrics, counted once the set's outcome stands (a one-pass set that is
    /// declined runs again in two steps and must not count twice).</summary>
    private sealed class ObservedMetrics
    {
        private (int Passed, int Blocked)? _first;
        private readonly List<string> _retries = [];

        public void FirstAttempt(int passed, int blocked) => _first = (passed, blocked);

        public void Retry(string reason) => _retries.Add(reason);

        public void CountIn(GenerationMetrics metrics)
        {
            if (_first is { } first)
            {
                metrics.FirstAttempt(first.Passed, first.Blocked);
            }
            foreach (var reason in _retries)
            {
                metrics.Retry(reason);
            }
        }
    }

    public static ModelOutputDto ToOutput(LlmCompletion c) =>
        new(c.Text, c.Provider, c.Model, c.InputTokens, c.OutputTokens, c.CostUsd, Math.Round(c.Latency.TotalMilliseconds, 3), c.HttpAttempts);

    public static VariantDto ToVariant(PersonalizeRequest request, ParsedVariantDto v, IReadOnlyList<RiskFlag> flags) =>
        new(PromptRenderer.IncludeSubjects(request) ? v.Subject ?? "" : null, v.Message, v.PersonalizationPoints,
            GuardrailMapping.ToDtos(flags), !GuardrailMapping.Passed(flags));
}
