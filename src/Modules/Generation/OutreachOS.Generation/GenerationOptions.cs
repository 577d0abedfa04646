using Microsoft.Extensions.Configuration;
using OutreachOS.Credits.Contracts;
using OutreachOS.Llm;

namespace OutreachOS.Generation;

/// <summary>
/// <c>Generation</c> configuration section. <c>CreditsPerVariant</c> and <c>MaxRegenerations</c> fall back to
/// <c>Credits:CostPerVariant</c> and <c>Credits:MaxRegenerationsPerRequest</c> (pricing lives with Credits).
/// Low-credit degradation: when the ledger's alert is Critical (≤ 5% of the allowance left), a request is served with
/// one variant instead of the number asked for (recorded as <c>degraded</c>). <c>CreditsPerVariant = 0</c> is free
/// generation: nothing is reserved or charged, and the requests are recorded as usual.
/// </summary>
internal sealed record GenerationOptions(
    int CreditsPerVariant,
    int MaxRegenerations,
    string? Model,
    double Temperature,
    int MaxOutputTokens,
    bool DegradeWhenCritical)
{
    /// <summary>
    /// A call named by an <c>Idempotency-Key</c> that has not answered after this long was abandoned (its process stopped;
    /// the credit sweeper releases its reservation): a repeat is told so instead of "in progress". Credits:ReservationTimeout.
    /// </summary>
    public TimeSpan AbandonedAfter { get; init; } = new CreditOptions().ReservationTimeout;

    /// <summary>
    /// The models a replay may name: the one generation uses (<c>Generation:Model</c>, else <c>Llm:Model</c> or the
    /// provider's default) and those listed in <c>Generation:ReplayModels</c>, each priced when the provider is billed.
    /// </summary>
    public IReadOnlyList<string> ReplayModels { get; init; } = [];

    /// <summary>
    /// <c>Generation:RequireLeadEmail</c> (false): when true, <c>lead.email</c> is required on <c>/personalize</c>, so that
    /// no outreach is written for a lead the do-not-contact list (ADR 0031) could not be checked against.
    /// </summary>
    public bool RequireLeadEmail { get; init; }

    /// <summary>
    /// <c>Generation:ChargeLocalAnswersInOnePass</c> (true): with a model that runs in the process and is not billed (the
    /// Offline provider), a request's first attempt set is written first and then reserved and settled in one ledger
    /// transaction with all of its events (ADR 0033), instead of a reservation before the model call and a settlement
    /// after it. The outcome, the events and the balance are those of the two-step set; a set the balance would degrade,
    /// and one that fails, runs in two steps. Ignored for billed providers: a paid call is always reserved first.
    /// </summary>
    public bool ChargeLocalAnswersInOnePass { get; init; } = true;

    public static GenerationOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Generation");
        var cost = s.GetValue<int?>("CreditsPerVariant") ?? configuration.GetValue<int?>("Credits:CostPerVariant") ?? 1;
        var model = string.IsNullOrWhiteSpace(s["Model"]) ? null : s["Model"]!.Trim();
        var llm = LlmModels.From(configuration);
        var options = new GenerationOptions(
            cost,
            s.GetValue<int?>("MaxRegenerations") ?? configuration.GetValue<int?>("Credits:MaxRegenerationsPerRequest") ?? 3,
            model,
            s.GetValue("Temperature", 0.7),
            s.GetValue("MaxOutputTokens", 1200),
            s.GetValue("DegradeWhenCritical", true))
        {
            AbandonedAfter = configuration.GetValue<TimeSpan?>("Credits:ReservationTimeout") ?? new CreditOptions().ReservationTimeout,
            ReplayModels = ReadReplayModels(s, model, llm),
            RequireLeadEmail = s.GetValue("RequireLeadEmail", false),
            ChargeLocalAnswersInOnePass = s.GetValue("ChargeLocalAnswersInOnePass", true),
        };
        if (options.CreditsPerVariant < 0)
        {
            throw new InvalidOperationException("Generation:CreditsPerVariant must be 0 or more.");
        }

        if (options.MaxRegenerations < 0)
        {
            throw new InvalidOperationException("Generation:MaxRegenerations must be 0 or more.");
        }

        // A reservation covers an attempt set: the first call and the one guardrail retry. If the sweeper could release it
        // while the second call still runs, the settlement would find it refunded and the calls would go unpaid.
        var attemptSet = llm.CallDeadline * Personalizing.AttemptSetRunner.MaxAttempts;
        if (options.CreditsPerVariant > 0 && attemptSet > TimeSpan.Zero && options.AbandonedAfter <= attemptSet)
        {
            throw new InvalidOperationException(
                $"Credits:ReservationTimeout ({options.AbandonedAfter}) must be longer than an attempt set's model calls can take " +
                $"({Personalizing.AttemptSetRunner.MaxAttempts} calls × {llm.CallDeadline} = {attemptSet}: Llm:TimeoutSeconds plus the capped retry wait, " +
                "times Llm:MaxRetries + 1, per call). Raise Credits:ReservationTimeout or lower Llm:TimeoutSeconds / Llm:MaxRetries.");
        }

        return options;
    }

    /// <summary>The generation model first, then the listed ones; a billed model without a price stops startup.</summary>
    private static List<string> ReadReplayModels(IConfigurationSection generation, string? own, LlmModels llm)
    {
        if (own is not null)
        {
            llm.RequirePrice("Generation:Model", own);
        }
        List<string> models = [own ?? llm.DefaultModel];
        foreach (var entry in generation.GetSection("ReplayModels").GetChildren())
        {
            var name = entry.Value?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
            {
                throw new InvalidOperationException($"Generation:ReplayModels:{entry.Key} must be a model name of 1 to 200 characters.");
            }
            llm.RequirePrice($"Generation:ReplayModels:{entry.Key}", name);
            if (!models.Contains(name, StringComparer.Ordinal))
            {
                models.Add(name);
            }
        }
        return models;
    }
}
