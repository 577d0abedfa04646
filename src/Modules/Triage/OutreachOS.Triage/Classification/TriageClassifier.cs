using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OutreachOS.Triage.Classification;

/// <summary>
/// Chooses the classifier: with <c>Llm:Provider</c> Offline (the default) the offline classifier runs directly (no prompt is
/// built, nothing is redacted, nothing leaves the process); otherwise the configured model through <see cref="LlmClassifier"/>.
/// </summary>
internal sealed class TriageClassifier(IConfiguration configuration, IServiceProvider services)
{
    public bool UsesExternalModel { get; } =
        configuration["Llm:Provider"] is { Length: > 0 } p && !p.Trim().Equals("Offline", StringComparison.OrdinalIgnoreCase);

    public Task<ClassifierOutcome> ClassifyWithModelAsync(ClassifierInput input, string fromLine, IReadOnlyList<string> intents, CancellationToken ct) =>
        services.GetRequiredService<LlmClassifier>().ClassifyAsync(input, fromLine, intents, ct);

    public static ClassifierOutcome ClassifyOffline(ClassifierInput input, IReadOnlyList<string> intents) =>
        new(OfflineClassifier.Classify(input, intents), OfflineClassifier.Name, "Offline", OfflineClassifier.Name, 0, 0, 0m, 0, FellBack: false);
}
