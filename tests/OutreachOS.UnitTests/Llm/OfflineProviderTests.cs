using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

public sealed class OfflineProviderTests
{
    private sealed class EchoClassifier : IOfflineTaskHandler
    {
        public string Task => "classify.v1";

        public string Complete(LlmPrompt prompt) =>
            prompt.User.Contains("cost", StringComparison.OrdinalIgnoreCase) ? """{"intent":"pricing"}""" : """{"intent":"other"}""";
    }

    private sealed class GreetingComposer : IOfflineTaskHandler
    {
        public string Task => "personalize.v1";

        public string Complete(LlmPrompt prompt) => $"Hello {prompt.User}";
    }

    private sealed class SecondClassifier : IOfflineTaskHandler
    {
        public string Task => "classify.v1";

        public string Complete(LlmPrompt prompt) => "{}";
    }

    private static LlmTestHost Offline(Action<IServiceCollection>? configure = null) => new(
        new Dictionary<string, string?>(),
        configure ?? (s => s.AddOfflineTaskHandler<EchoClassifier>().AddOfflineTaskHandler<GreetingComposer>()));

    private static LlmPrompt Prompt(string task, string user) => new(task, "sys!", user, null, 0, null, null, 0);

    [Fact]
    public async Task Without_configuration_the_provider_is_offline_and_dispatches_on_the_prompt_task()
    {
        using var host = Offline();

        var classified = await host.Client.CompleteAsync(Prompt("classify.v1", "What does it cost?"), CancellationToken.None);
        var composed = await host.Client.CompleteAsync(Prompt("personalize.v1", "Ada"), CancellationToken.None);

        Assert.Equal("""{"intent":"pricing"}""", classified.Text);
        Assert.Equal("Hello Ada", composed.Text);
        Assert.Equal("Offline", composed.Provider);
        Assert.Equal("offline-v1", composed.Model);
        Assert.Equal(0m, composed.CostUsd);
        Assert.Equal(0, composed.HttpAttempts);
    }

    [Fact]
    public async Task The_same_prompt_gives_the_same_completion()
    {
        using var host = Offline();
        var prompt = Prompt("classify.v1", "What does it cost?");

        var first = await host.Client.CompleteAsync(prompt, CancellationToken.None);
        var second = await host.Client.CompleteAsync(prompt, CancellationToken.None);

        Assert.Equal(first with { Latency = TimeSpan.Zero }, second with { Latency = TimeSpan.Zero });
    }

    [Fact]
    public async Task Tokens_are_estimated_at_four_characters_each_rounded_up()
    {
        using var host = Offline();

        // System "sys!" = 4 chars -> 1 token; user "Ada" = 3 chars -> 1 token; "Hello Ada" = 9 chars -> 3 tokens.
        var completion = await host.Client.CompleteAsync(Prompt("personalize.v1", "Ada"), CancellationToken.None);

        Assert.Equal(2, completion.InputTokens);
        Assert.Equal(3, completion.OutputTokens);
    }

    [Fact]
    public async Task An_unknown_task_fails_with_a_message_naming_it_and_the_registered_tasks()
    {
        using var host = Offline();

        var failure = await Assert.ThrowsAsync<OfflineTaskNotSupportedException>(
            () => host.Client.CompleteAsync(Prompt("summarize.v9", "x"), CancellationToken.None));

        Assert.Equal("summarize.v9", failure.Task);
        Assert.Contains("'summarize.v9'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("classify.v1, personalize.v1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_handlers_for_one_task_are_refused()
    {
        using var host = Offline(s => s.AddOfflineTaskHandler<EchoClassifier>().AddOfflineTaskHandler<SecondClassifier>());

        var failure = Assert.Throws<InvalidOperationException>(() => host.Client);

        Assert.Contains("classify.v1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_prompt_without_a_schema_name_is_rejected_before_any_provider_call()
    {
        using var host = Offline();

        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.CompleteAsync(
            Prompt("classify.v1", "x") with { JsonSchema = "{}" }, CancellationToken.None));
    }
}
