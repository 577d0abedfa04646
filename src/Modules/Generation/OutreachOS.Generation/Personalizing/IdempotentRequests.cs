using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Personalizing;

/// <summary>
/// <c>Idempotency-Key</c> on <c>POST /personalize</c>: a client that timed out and sends the same request again with the
/// same key gets the first answer back (header <c>Idempotent-Replayed: true</c>) instead of a second request and a second
/// charge. The key names the request: its id is derived from (organization, key), so the request's own stream is the
/// record of the key, and two concurrent sends race on that stream's creation, which one of them wins.
/// </summary>
internal static class IdempotentRequests
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 255;

    /// <summary>1-255 printable ASCII characters (a UUID, a hash, an order number).</summary>
    public static bool IsValid(string key) => key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');

    public static Guid RequestIdFor(Guid tenantId, string key) => DeterministicId.For(tenantId, "personalize-idempotency-key:" + key);

    /// <summary>The answer the first request with this key gave (or is still working on), for a send of <paramref name="request"/>.</summary>
    public static IResult Replay(PersonalizationRecord record, PersonalizeRequest request, int maxRegenerations)
    {
        if (JsonSerializer.Serialize(record.Request, OutreachJson.Options) != JsonSerializer.Serialize(request, OutreachJson.Options))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: $"This {Header} was first used for request {record.RequestId} with a different body; a key names one request.",
                type: "https://outreachos.dev/problems/idempotency-key-reused",
                extensions: new Dictionary<string, object?> { ["request_id"] = record.RequestId });
        }
        var first = record.AttemptSets.FirstOrDefault(s => s.Number == 1);
        if (first?.Variants is { } variants)
        {
            var settled = record.CreditMovements.LastOrDefault(m => m.Kind == CreditMovementKind.Settled && m.Purpose == AttemptSetRunner.Purpose(1));
            var response = new PersonalizeResponse(record.RequestId, variants, first.Attempts.Count,
                new CreditsDto(settled?.Credits ?? 0, settled?.Remaining ?? 0), 1, first.Degraded, Math.Max(0, maxRegenerations - record.Regenerations));
            return new WithHeader(TypedResults.Ok(response), ReplayedHeader, "true");
        }
        if (first?.Failure is { } failure)
        {
            return new WithHeader(PersonalizationService.GenerationFailed(record.RequestId, failure, first.Attempts.Count), ReplayedHeader, "true");
        }
        return InProgress(record.RequestId);
    }

    /// <summary>The first request with this key has not answered yet.</summary>
    public static IResult InProgress(Guid requestId) => new WithHeader(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "Request in progress",
        detail: $"A request with this {Header} is still being processed; send it again in a moment to get its answer.",
        type: "https://outreachos.dev/problems/idempotency-key-in-progress",
        extensions: new Dictionary<string, object?> { ["request_id"] = requestId }), "Retry-After", "1");

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
