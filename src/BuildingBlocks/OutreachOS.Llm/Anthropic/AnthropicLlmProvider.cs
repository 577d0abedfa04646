using System.Text;
using System.Text.Json;
using global::Anthropic;
using global::Anthropic.Core;
using global::Anthropic.Exceptions;
using global::Anthropic.Models.Messages;

namespace OutreachOS.Llm.Anthropic;

/// <summary>
/// Messages API through the official SDK. A schema is asked for twice: natively (<c>output_config.format</c>,
/// constrained decoding) and in the system prompt, which keeps compatible gateways without structured
/// output on the same JSON shape. Retries are the SDK's own, bounded by <c>Llm:MaxRetries</c>.
/// </summary>
internal sealed class AnthropicLlmProvider : ILlmProvider, IDisposable
{
    public const string ProviderName = "Anthropic";

    private readonly AnthropicClient _client;

    public AnthropicLlmProvider(LlmSettings settings)
    {
        var options = new ClientOptions
        {
            MaxRetries = settings.MaxRetries,
            Timeout = settings.Timeout,
            // The SDK retries above its HttpClient: the cap sees each attempt's answer before the SDK decides (ADR 0008 addendum).
            Handlers = [new HttpAttemptCountingHandler(), new RetryAfterCapHandler(TimeProvider.System)],
        };
        if (settings.AnthropicBaseUrl is { } baseUrl)
        {
            options.BaseUrl = baseUrl.ToString().TrimEnd('/');
        }

        // Left unset, the SDK reads ANTHROPIC_API_KEY itself (setting null would switch that off).
        if (settings.AnthropicApiKey is { } apiKey)
        {
            options.ApiKey = apiKey;
        }

        _client = new AnthropicClient(options);
    }

    public string Name => ProviderName;

    public const string DefaultModelName = "claude-haiku-4-5";

    public string DefaultModel => DefaultModelName;

    public bool IsBilled => true;

    public async Task<ProviderReply> SendAsync(ProviderRequest request, CancellationToken ct)
    {
        var prompt = request.Prompt;
        // This SDK version has no temperature parameter (recent Claude models fix sampling themselves),
        // so request.Temperature only reaches the trace.
        var parameters = new MessageCreateParams
        {
            Model = request.Model,
            MaxTokens = request.MaxOutputTokens,
            System = SystemPrompt(prompt),
            Messages = [new UserMessageParam(prompt.User)],
        };
        if (prompt.JsonSchema is { } schema)
        {
            parameters = parameters with
            {
                OutputConfig = new OutputConfig { Format = new JsonOutputFormat { Schema = ParseSchema(schema) } },
            };
        }

        Message message;
        try
        {
            message = await _client.Messages.Create(parameters, ct);
        }
        catch (JsonException ex)
        {
            // A 200 whose body is not JSON (an HTML page from a proxy, a truncated answer): the SDK's reader throws.
            throw new ProviderAnswerException($"The provider answered with a body that is not a message: {ex.Message}", ex);
        }

        var text = new StringBuilder();
        foreach (var block in message.Content)
        {
            if (block.TryPickText(out var textBlock))
            {
                text.Append(textBlock.Text);
            }
        }

        var model = message.Model.Raw();
        var usage = new ProviderUsage(
            string.IsNullOrEmpty(model) ? request.Model : model,
            checked((int)message.Usage.InputTokens),
            checked((int)message.Usage.OutputTokens));
        if (text.Length == 0)
        {
            throw new ProviderAnswerException($"The model returned no text (stop reason {message.StopReason?.Raw()}).", innerException: null, usage);
        }

        return new ProviderReply(text.ToString(), usage.Model, usage.InputTokens, usage.OutputTokens);
    }

    public ProviderFailure? Classify(Exception exception, CancellationToken ct) => exception switch
    {
        AnthropicApiException e => ProviderFailure.FromStatus((int)e.StatusCode),
        AnthropicIOException => new ProviderFailure(null, IsTransient: true),
        AnthropicInvalidDataException => new ProviderFailure(null, IsTransient: false),
        ProviderAnswerException => new ProviderFailure(null, IsTransient: false),
        HttpRequestException => new ProviderFailure(null, IsTransient: true),
        OperationCanceledException when !ct.IsCancellationRequested => new ProviderFailure(null, IsTransient: true),
        _ => null,
    };

    public void Dispose() => _client.Dispose();

    internal static string SystemPrompt(LlmPrompt prompt) =>
        prompt.JsonSchema is null
            ? prompt.System
            : $"{prompt.System}\n\nAnswer with one JSON object only, no prose and no code fence, that validates against this JSON schema named \"{prompt.JsonSchemaName}\":\n{prompt.JsonSchema}";

    private static Dictionary<string, JsonElement> ParseSchema(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("LlmPrompt.JsonSchema must be a JSON object.", nameof(schema));
        }

        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}
