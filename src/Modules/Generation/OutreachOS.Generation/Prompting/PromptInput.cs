using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Prompting;

/// <summary>
/// The structured data block embedded in the user prompt (one line of JSON inside a fenced block). The model reads it
/// as quoted data; the offline composer parses it back, so both answer from exactly the same input.
/// </summary>
internal sealed record PromptInput(
    Channel Channel,
    Tone Tone,
    Framework? Framework,
    string Goal,
    int VariantCount,
    IReadOnlyList<int> VariantNumbers,
    int MaxWords,
    bool IncludeSubjects,
    bool NoClaimsPolicy,
    LeadInput Lead,
    CompanyContextInput? CompanyContext,
    SignalsInput? Signals)
{
    public const string Fence = "```json";

    private static readonly JsonSerializerOptions Json = CreateOptions();

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the first fenced JSON block of a user prompt. JSON strings cannot hold a raw line break, so the
    /// block ends at the first line break after the fence: data cannot close the fence early.</summary>
    public static PromptInput? TryRead(string userPrompt)
    {
        var start = userPrompt.IndexOf(Fence + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += Fence.Length + 1;
        var end = userPrompt.IndexOf('\n', start);
        var json = end < 0 ? userPrompt[start..] : userPrompt[start..end];
        try
        {
            return JsonSerializer.Deserialize<PromptInput>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(OutreachJson.Options)
        {
            // A prompt is not HTML: keep accents and quotes readable for the model.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
