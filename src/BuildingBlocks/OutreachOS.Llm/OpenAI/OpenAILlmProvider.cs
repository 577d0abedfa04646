using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text;
using global::OpenAI;
using global::OpenAI.Chat;

namespace OutreachOS.Llm.OpenAI;

/// <summary>
/// Chat Completions through the official SDK. Works with any OpenAI-compatible base URL (OpenAI, Azure's
/// v1 endpoint, Ollama, vLLM, llama.cpp). Retries are the SDK's own, bounded by <c>Llm:MaxRetries</c>.
/// </summary>
internal sealed class OpenAILlmProvider : ILlmProvider
{
    public const string ProviderName = "OpenAI";

    private readonly OpenAIClient _client;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);

    public OpenAILlmProvider(LlmSettings settings)
    {
        // A self-hosted compatible server usually needs no key, but the SDK insists on a non-empty one.
        var apiKey = settings.OpenAIApiKey
            ?? (settings.OpenAIBaseUrl is not null
                ? "no-key"
                : throw LlmSettings.Invalid("Llm:Provider is OpenAI but Llm:OpenAI:ApiKey is not set (or set Llm:OpenAI:BaseUrl for a server without keys)."));

        var options = new OpenAIClientOptions
        {
            // The SDK's default policy retries 3 times; ours is explicit and bounded, and so is the wait before each
            // retry, whatever Retry-After asks (ADR 0008 and its addendum).
            RetryPolicy = new BoundedRetryPolicy(settings.MaxRetries, TimeProvider.System),
            NetworkTimeout = settings.Timeout,
        };
        if (settings.OpenAIBaseUrl is { } baseUrl)
        {
            options.Endpoint = baseUrl;
        }

        options.AddPolicy(new HttpAttemptCountingPolicy(), PipelinePosition.PerTry);
        _client = new OpenAIClient(new ApiKeyCredential(apiKey), options);
    }

    public string Name => ProviderName;

    public const string DefaultModelName = "gpt-4o-mini";

    public string DefaultModel => DefaultModelName;

    public bool IsBilled => true;

    public async Task<ProviderReply> SendAsync(ProviderRequest request, CancellationToken ct)
    {
        var prompt = request.Prompt;
        var chat = _chatClients.GetOrAdd(request.Model, _client.GetChatClient);
        var options = new ChatCompletionOptions
        {
            Temperature = (float)request.Temperature,
            MaxOutputTokenCount = request.MaxOutputTokens,
        };
        if (prompt.JsonSchema is { } schema)
        {
            options.ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat(
                prompt.JsonSchemaName, BinaryData.FromString(schema), jsonSchemaFormatDescription: null, jsonSchemaIsStrict: true);
        }

        ChatMessage[] messages = [new SystemChatMessage(prompt.System), new UserChatMessage(prompt.User)];
        ChatCompletion completion;
        try
        {
            completion = await chat.CompleteChatAsync(messages, options, ct);
        }
        catch (Exception ex) when (IsUnreadableAnswer(ex))
        {
            // A 200 whose body is not a chat completion (an HTML page from a proxy, truncated JSON): the SDK's
            // deserialiser throws; sending the same request again is not expected to help.
            throw new ProviderAnswerException($"The provider answered with a body that is not a chat completion: {ex.Message}", ex);
        }

        var model = string.IsNullOrEmpty(completion.Model) ? request.Model : completion.Model;
        var usage = new ProviderUsage(model, completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0);

        // Content, Refusal and FinishReason all read choices[0]; an answer with no choice has none of them.
        ChatMessageContent content;
        string? refusal;
        ChatFinishReason finishReason;
        try
        {
            content = completion.Content;
            refusal = completion.Refusal;
            finishReason = completion.FinishReason;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new ProviderAnswerException("The provider answered with no choices.", ex, usage);
        }

        var text = new StringBuilder();
        foreach (var part in content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                text.Append(part.Text);
            }
        }

        if (text.Length == 0)
        {
            throw new ProviderAnswerException(
                refusal is { Length: > 0 }
                    ? $"The model refused: {refusal}"
                    : $"The model returned no text (finish reason {finishReason}).",
                innerException: null,
                usage);
        }

        return new ProviderReply(text.ToString(), model, usage.InputTokens, usage.OutputTokens);
    }

    /// <summary>
    /// What the SDK throws when it reads a 200 answer it cannot make sense of. Transport failures, error statuses
    /// (<see cref="ClientResultException"/>) and cancellations are other types and keep their own classification.
    /// </summary>
    private static bool IsUnreadableAnswer(Exception ex) =>
        ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or KeyNotFoundException
            && ex is not ObjectDisposedException;

    public ProviderFailure? Classify(Exception exception, CancellationToken ct) => exception switch
    {
        // When every try threw (no response at all), the retry policy throws them all together; the last one decides.
        AggregateException { InnerExceptions.Count: > 0 } e => Classify(e.InnerExceptions[^1], ct),
        // Status 0: no response at all (connection refused/reset).
        ClientResultException e => ProviderFailure.FromStatus(e.Status),
        ProviderAnswerException => new ProviderFailure(null, IsTransient: false),
        HttpRequestException => new ProviderFailure(null, IsTransient: true),
        // The SDK's network timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException when !ct.IsCancellationRequested => new ProviderFailure(null, IsTransient: true),
        _ => null,
    };
}
