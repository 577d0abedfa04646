namespace OutreachOS.Llm;

/// <summary>
/// <c>Llm:CircuitBreaker</c>: after <see cref="FailureThreshold"/> consecutive transient failures the provider is not
/// called for <see cref="OpenFor"/>; then one trial call decides. A threshold of 0 turns it off.
/// </summary>
internal sealed record LlmCircuitSettings(int FailureThreshold, TimeSpan OpenFor)
{
    public static LlmCircuitSettings Default { get; } = new(5, TimeSpan.FromSeconds(30));
}

/// <summary>
/// A circuit breaker around the provider, per process. While the provider fails transiently (5xx, 429, timeouts,
/// connection errors) every call would wait for its timeout and SDK retries, and pay for them. Once the breaker is open,
/// calls fail at once as transient, so a bus may retry them later, and the provider is spared. After the open period one
/// call goes through (half-open): success closes the breaker, a transient failure opens it again. A non-transient
/// failure (a 400, a 401) says the provider answers: it resets the count.
/// </summary>
internal sealed class LlmCircuit(LlmCircuitSettings settings, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset? _openUntil;
    private bool _trialInFlight;

    public bool Enabled => settings.FailureThreshold > 0;

    /// <summary>
    /// Whether a call may go to the provider now; when not, when the next one may. <paramref name="trial"/>: this call is
    /// the half-open trial, and only its outcome (or its <see cref="Release"/>) frees the slot.
    /// </summary>
    public bool TryEnter(out DateTimeOffset retryAt, out bool trial)
    {
        retryAt = default;
        trial = false;
        if (!Enabled)
        {
            return true;
        }
        lock (_gate)
        {
            if (_openUntil is not { } until)
            {
                return true;
            }
            var now = clock.GetUtcNow();
            if (now < until || _trialInFlight)
            {
                retryAt = now < until ? until : now + settings.OpenFor;
                return false;
            }
            _trialInFlight = trial = true; // half-open: this call is the trial
            return true;
        }
    }

    /// <summary>Records a call's outcome: whether this closed or opened the breaker (worth a log line), and whether it is open.</summary>
    public (bool Changed, bool Open) Record(bool transientFailure, bool trial)
    {
        if (!Enabled)
        {
            return (false, false);
        }
        lock (_gate)
        {
            var wasOpen = _openUntil is not null;
            _trialInFlight &= !trial;
            if (!transientFailure)
            {
                _failures = 0;
                _openUntil = null;
                return (wasOpen, false);
            }
            _failures++;
            if (wasOpen || _failures >= settings.FailureThreshold)
            {
                _openUntil = clock.GetUtcNow() + settings.OpenFor;
                return (!wasOpen, true);
            }
            return (false, false);
        }
    }

    /// <summary>The trial call ended without an outcome (cancelled by its caller): the next call may be the trial.</summary>
    public void Release(bool trial)
    {
        if (!Enabled || !trial)
        {
            return;
        }
        lock (_gate)
        {
            _trialInFlight = false;
        }
    }

    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }
}
