using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Generation;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;
using OutreachOS.Generation.Personalizing;
using OutreachOS.Generation.Projection;
using static OutreachOS.UnitTests.Generation.GenerationFixtures;

namespace OutreachOS.UnitTests.Generation;

/// <summary>What a repeat of an <c>Idempotency-Key</c> is told while the first call has not answered.</summary>
public sealed class IdempotentRequestsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0196a000-0000-7000-8000-000000000002");
    private static readonly Guid ReplayId = Guid.Parse("0196a000-0000-7000-8000-000000000003");
    private static readonly GenerationOptions Options = new(1, 3, null, 0.7, 1200, true) { AbandonedAfter = TimeSpan.FromMinutes(10) };

    private static PersonalizationRecord Record(params object[] more)
    {
        PersonalizationRecord? s = null;
        object[] events =
        [
            new PersonalizationRequested(Id, Rich(), Guid.Empty, At),
            new AttemptSetStarted(1, "initial", 1, 1, false, At),
            new VariantsReturned(1, [new VariantDto("S", "m", ["p"], [], false)], 1, 1, 1, At),
            .. more,
        ];
        for (var i = 0; i < events.Length; i++)
        {
            s = PersonalizationEvolve.Evolve(s, events[i], i + 1);
        }
        return s!;
    }

    private static async Task<(int Status, string Body, string? RetryAfter)> RunAsync(IResult result)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        await result.ExecuteAsync(http);
        http.Response.Body.Position = 0;
        return (http.Response.StatusCode, await new StreamReader(http.Response.Body).ReadToEndAsync(),
            http.Response.Headers.RetryAfter.Count > 0 ? http.Response.Headers.RetryAfter.ToString() : null);
    }

    [Fact]
    public async Task A_call_without_an_answer_is_in_progress_until_the_reservation_timeout_and_abandoned_after_it()
    {
        var record = Record(new IdempotencyKeyUsed("k", IdempotentRequests.Replay, "fp", null, null, ReplayId, At.AddSeconds(1)));
        var call = IdempotentRequests.Find(record, "k")!;

        var running = await RunAsync(IdempotentRequests.RepeatCall(record, call, IdempotentRequests.Replay, "fp", Options, At.AddMinutes(9)));
        Assert.Equal(409, running.Status);
        Assert.Equal("1", running.RetryAfter);
        Assert.Contains("idempotency-key-in-progress", running.Body);

        var gone = await RunAsync(IdempotentRequests.RepeatCall(record, call, IdempotentRequests.Replay, "fp", Options, At.AddMinutes(11)));
        Assert.Equal(502, gone.Status);
        Assert.Null(gone.RetryAfter);
        Assert.Contains("idempotency-key-abandoned", gone.Body);
    }

    [Fact]
    public async Task A_regeneration_without_an_answer_is_abandoned_after_the_timeout_and_one_with_a_failure_answers_it()
    {
        var started = Record(
            new RegenerationRequested(2, 1, At),
            new IdempotencyKeyUsed("k", IdempotentRequests.Regenerate, "fp", 2, null, null, At),
            new AttemptSetStarted(2, "regeneration", 1, 1, false, At));
        var call = IdempotentRequests.Find(started, "k")!;
        Assert.Equal(409, (await RunAsync(IdempotentRequests.RepeatCall(started, call, IdempotentRequests.Regenerate, "fp", Options, At.AddMinutes(1)))).Status);
        Assert.Equal(502, (await RunAsync(IdempotentRequests.RepeatCall(started, call, IdempotentRequests.Regenerate, "fp", Options, At.AddHours(1)))).Status);

        var failed = Record(
            new RegenerationRequested(2, 1, At),
            new IdempotencyKeyUsed("k", IdempotentRequests.Regenerate, "fp", 2, null, null, At),
            new AttemptSetStarted(2, "regeneration", 1, 1, false, At),
            new GenerationFailed(2, "generation aborted: the call was cancelled", At));
        var answer = await RunAsync(IdempotentRequests.RepeatCall(failed, IdempotentRequests.Find(failed, "k")!, IdempotentRequests.Regenerate, "fp", Options, At.AddMinutes(1)));
        Assert.Equal(502, answer.Status);
        Assert.Contains("generation-failed", answer.Body);
        Assert.Contains("cancelled", answer.Body);
    }
}
