using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.Llm;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>
/// A local model's first set is charged in one pass (ADR 0033); when its attempts throw, nothing of that try is kept and
/// the set runs in two steps, which records the outcome as it always did. HTTP and PostgreSQL, the real ledger, the real
/// Offline model behind a wrapper that fails the calls it is told to.
/// </summary>
public sealed class OnePassFallbackTests
{
    [Fact]
    public async Task Attempts_that_throw_once_leave_nothing_and_the_set_runs_again_in_two_steps()
    {
        var llm = new FailingCalls(failFirst: 1);
        await using var app = await StartAsync(llm);
        using var client = app.ClientWithKey();

        var (status, created) = await PostAsync(client, "/personalize", Body());

        Assert.True(status == HttpStatusCode.OK, Describe(created));
        Assert.Equal(2, llm.Calls); // the one-pass try, then the two-step set
        Assert.Equal(3, created["credits"]!["charged"]!.GetValue<int>());
        var (_, audit) = await GetAsync(client, $"/personalize/{created["request_id"]}");
        Assert.Equal(TwoStepSet, EventTypes(audit));
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal((3, 0), (credits["consumed"]!.GetValue<int>(), credits["reserved"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Attempts_that_keep_throwing_are_recorded_as_a_failed_set_with_its_refund_and_charge_nothing()
    {
        var llm = new FailingCalls(failFirst: int.MaxValue);
        await using var app = await StartAsync(llm);
        using var client = app.ClientWithKey();

        var (status, problem) = await PostAsync(client, "/personalize", Body());

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal(2, llm.Calls);
        await using var db = Npgsql.NpgsqlDataSource.Create(app.ConnectionString);
        await using var cmd = db.CreateCommand("SELECT string_agg(type, ',' ORDER BY version) FROM oos.events WHERE stream_id LIKE 'personalization-%'");
        Assert.Equal(
            "personalization_requested.v1,personalization_attempt_set_started.v1,personalization_credits_reserved.v1,"
            + "personalization_prompt_rendered.v1,personalization_generation_failed.v1,personalization_credits_refunded.v1",
            (string?)await cmd.ExecuteScalarAsync());
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal((0, 0), (credits["consumed"]!.GetValue<int>(), credits["reserved"]!.GetValue<int>()));
        Assert.Equal("https://outreachos.dev/problems/internal", problem["type"]!.GetValue<string>()); // no stack trace, no bug text
    }

    private static Task<OutreachApp> StartAsync(FailingCalls llm) =>
        OutreachApp.StartAsync(services: services =>
        {
            // The host's own client (the Offline provider), wrapped.
            var inner = services.Single(d => d.ServiceType == typeof(ILlmClient));
            services.RemoveAll<ILlmClient>();
            services.AddSingleton<ILlmClient>(sp =>
            {
                llm.Inner = (ILlmClient)ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!);
                return llm;
            });
        });

    /// <summary>The Offline model, with its first <c>failFirst</c> calls failing as a bug would (not a provider failure).</summary>
    private sealed class FailingCalls(int failFirst) : ILlmClient
    {
        private int _calls;

        public ILlmClient Inner { get; set; } = null!;

        public int Calls => Volatile.Read(ref _calls);

        public bool SendsPromptsOutside => Inner.SendsPromptsOutside;

        public Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct) =>
            Interlocked.Increment(ref _calls) <= failFirst ? throw new InvalidOperationException("composer bug") : Inner.CompleteAsync(prompt, ct);
    }
}
