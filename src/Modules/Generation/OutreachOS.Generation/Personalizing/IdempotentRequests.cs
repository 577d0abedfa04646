using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Personalizing;

/// <summary>
/// <c>Idempotency-Key</c> (ADR 0029). On <c>POST /personalize</c> the key names the request: its id is derived from
/// (organization, key), so the request's own stream is the record of the key, and two concurrent sends race on that
/// stream's creation, which one of them wins. On regenerate, select and replay the key names one call on the request:
/// an <c>IdempotencyKeyUsed</c> event in the transaction of the call's first change records it, and two concurrent calls
/// race on the request stream's version. Either way a repeat gets the first answer (header <c>Idempotent-Replayed: true</c>)
/// instead of a second charge, a second model call or a second selection.
/// </summary>
internal static class IdempotentRequests
{
    public const string Header = IdempotencyKeys.Header;
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const string Regenerate = "regenerate";
    public const string Select = "select";
    public const string Replay = "replay";

    /// <summary>Adds the header's error to <paramref name="errors"/> when a key was sent and is malformed.</summary>
    public static FieldErrors Check(string? key, FieldErrors errors) =>
        key is null || IdempotencyKeys.IsValid(key) ? errors : errors.Add(Header, $"must be 1-{IdempotencyKeys.MaxLength} printable ASCII characters");

    public static Guid RequestIdFor(Guid tenantId, string key) => DeterministicId.For(tenantId, "personalize-idempotency-key:" + key);

    /// <summary>SHA-256 (hex) of the body as the API reads it: a key reused with another body is refused.</summary>
    public static string Fingerprint<T>(T body) => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, OutreachJson.Options)));

    /// <summary>The call on the request that <paramref name="key"/> named, if any.</summary>
    public static IdempotentCallDto? Find(PersonalizationRecord record, string? key) =>
        key is null ? null : record.IdempotencyKeys.FirstOrDefault(k => k.Key == key);

    /// <summary>The answer the first <c>POST /personalize</c> with this key gave (or is still working on), for a send of <paramref name="request"/>.</summary>
    public static IResult RepeatPersonalize(PersonalizationRecord record, PersonalizeRequest request, GenerationOptions options, DateTimeOffset now)
    {
        if (Fingerprint(record.Request) != Fingerprint(request))
        {
            return Reused(record.RequestId, $"This {Header} was first used for request {record.RequestId} with a different body; a key names one request.");
        }
        return AttemptSetAnswer(record, 1, options, record.CreatedAt, now);
    }

    /// <summary>The answer of the call <paramref name="call"/> names, for a repeat of <paramref name="operation"/> with a body of <paramref name="fingerprint"/>.</summary>
    public static IResult RepeatCall(PersonalizationRecord record, IdempotentCallDto call, string operation, string fingerprint, GenerationOptions options, DateTimeOffset now)
    {
        if (call.Operation != operation || call.BodySha256 != fingerprint)
        {
            return Reused(record.RequestId, call.Operation == operation
                ? $"This {Header} was first used for a {call.Operation} of request {record.RequestId} with a different body; a key names one call."
                : $"This {Header} was first used for a {call.Operation} of request {record.RequestId}, not a {operation}; a key names one call.");
        }
        switch (call.Operation)
        {
            case Regenerate when call.AttemptSet is { } setNo:
                return AttemptSetAnswer(record, setNo, options, call.At, now);
            case Select when call.Selection is { } n && n >= 1 && n <= record.SelectionHistory.Count:
                // The key is recorded with the selection's own events: the selection as that call left it.
                return Replayed(TypedResults.Ok(record.SelectionHistory[n - 1]));
            case Replay when call.ReplayId is { } replayId:
                return record.Replays.FirstOrDefault(r => r.ReplayId == replayId) is { } replay
                    ? Replayed(TypedResults.Ok(replay))
                    : Pending(record.RequestId, call.At, options, now);
            default:
                throw new InvalidOperationException($"Idempotency key '{call.Key}' of request {record.RequestId} names no {call.Operation} result.");
        }
    }

    /// <summary>The response an attempt set gave: its variants (200), its failure (502), or that it is still running.</summary>
    private static IResult AttemptSetAnswer(PersonalizationRecord record, int setNo, GenerationOptions options, DateTimeOffset startedAt, DateTimeOffset now)
    {
        var set = record.AttemptSets.FirstOrDefault(s => s.Number == setNo);
        if (set?.Variants is { } variants)
        {
            var reservationId = AttemptSetRunner.ReservationId(record.RequestId, setNo);
            var settled = record.CreditMovements.LastOrDefault(m => m.Kind == CreditMovementKind.Settled && m.ReservationId == reservationId);
            var response = new PersonalizeResponse(record.RequestId, variants, set.Attempts.Count,
                new CreditsDto(settled?.Credits ?? 0, settled?.Remaining ?? 0), setNo, set.Degraded, Math.Max(0, options.MaxRegenerations - (setNo - 1)));
            return Replayed(TypedResults.Ok(response));
        }
        if (set?.Failure is { } failure)
        {
            return Replayed(PersonalizationService.GenerationFailed(record.RequestId, failure, set.Attempts.Count));
        }
        return Pending(record.RequestId, startedAt, options, now);
    }

    /// <summary>
    /// The first call has not answered: 409 (ask again in a second) while it may still be running; once it is older than
    /// the credit reservation timeout its process is gone (the sweeper releases its credits), and the key is spent.
    /// </summary>
    private static IResult Pending(Guid requestId, DateTimeOffset startedAt, GenerationOptions options, DateTimeOffset now) =>
        now - startedAt > options.AbandonedAfter
            ? TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Call abandoned",
                detail: $"The call with this {Header} started at {startedAt:O} and never finished (the process handling it stopped); " +
                        "its credits are released by the reservation sweeper. Send the call again with a new key.",
                type: "https://outreachos.dev/problems/idempotency-key-abandoned",
                extensions: new Dictionary<string, object?> { ["request_id"] = requestId, ["started_at"] = startedAt })
            : InProgress(requestId);

    /// <summary>The first call with this key has not answered yet.</summary>
    private static IResult InProgress(Guid requestId) => new WithHeader(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "Request in progress",
        detail: $"A call with this {Header} is still being processed; send it again in a moment to get its answer.",
        type: "https://outreachos.dev/problems/idempotency-key-in-progress",
        extensions: new Dictionary<string, object?> { ["request_id"] = requestId }), "Retry-After", "1");

    /// <summary>The key named a request whose data was erased (ADR 0030): it is gone, and the key with it.</summary>
    public static IResult Erased(Guid requestId) => TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Request erased",
        detail: $"The request this {Header} named was erased (personal data erasure); send a new request with a new key.",
        type: "https://outreachos.dev/problems/idempotency-key-erased",
        extensions: new Dictionary<string, object?> { ["request_id"] = requestId });

    private static IResult Reused(Guid requestId, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused", detail: detail,
            type: "https://outreachos.dev/problems/idempotency-key-reused",
            extensions: new Dictionary<string, object?> { ["request_id"] = requestId });

    private static WithHeader Replayed(IResult inner) => new(inner, ReplayedHeader, "true");

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
