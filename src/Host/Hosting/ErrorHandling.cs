using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Host.Hosting;

/// <summary>Maps every failure to an RFC 7807 problem: no HTML error page, no stack trace, a field name when there is one.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // The middleware clears the endpoint before handlers run; the feature keeps the one that failed.
        var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();
        var body = endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        var bodyErrors = exception is BadHttpRequestException && FindJson(exception) is not null && body is not null
            ? await EveryBindingErrorAsync(http.Request, body, json.Value.SerializerOptions, ct)
            : null;
        var (status, title, detail, type, extensions) = Map(exception, body, bodyErrors);
        if (RetryAfterSeconds(exception, status) is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (status == 503 && exception is PostgresException raced && PostgresErrors.IsLostRace(raced))
        {
            // Expected under concurrency (two writers on one stream or row): the client is told to send again.
            logger.LogWarning("Concurrent change on {Method} {Path} ({SqlState}: {Reason}); answered 503 with Retry-After",
                http.Request.Method, http.Request.Path, raced.SqlState, raced.MessageText);
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        }
        else if (exception is PostgresException refused)
        {
            // A value that slipped past validation: the client gets a 400, the operator the database's reason.
            logger.LogWarning(exception, "The database refused a value on {Method} {Path} ({SqlState})", http.Request.Method, http.Request.Path, refused.SqlState);
        }
        http.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail, Type = type };
        foreach (var (k, v) in extensions)
        {
            problem.Extensions[k] = v;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// How long a client should wait before sending a request answered 503 again: a lost race (serialization failure or
    /// deadlock) clears at once, an unreachable database takes longer. Null for every other answer.
    /// </summary>
    internal static int? RetryAfterSeconds(Exception exception, int status) => status != 503
        ? null
        : exception is PostgresException pg && PostgresErrors.IsLostRace(pg) ? 1 : 5;

    /// <summary>
    /// Every value of a body that did not bind (<see cref="JsonBodyErrors.All"/>), read again from the buffer that
    /// <see cref="JsonBodyBuffering"/> kept; null when the body is not there to read again or is not JSON at all (the
    /// serializer's one error then stands).
    /// </summary>
    private static async Task<List<(string Field, string Reason)>?> EveryBindingErrorAsync(HttpRequest request, Type bodyType, JsonSerializerOptions options,
        CancellationToken ct)
    {
        if (!request.Body.CanSeek)
        {
            return null;
        }
        try
        {
            request.Body.Position = 0;
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return JsonBodyErrors.All(document.RootElement, bodyType, options);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <param name="bodyType">The endpoint's JSON body type, when it has one: a binding error then says what the field takes.</param>
    /// <param name="bodyErrors">Every value of the body that does not bind, when the body could be read again: all of them are
    /// named, not only the first one the serializer met.</param>
    internal static (int Status, string Title, string Detail, string Type, Dictionary<string, object?> Extensions) Map(Exception exception, Type? bodyType = null,
        IReadOnlyList<(string Field, string Reason)>? bodyErrors = null)
    {
        var ext = new Dictionary<string, object?>();
        switch (exception)
        {
            case ConcurrencyException c:
                ext["stream_id"] = c.StreamId;
                ext["actual_version"] = c.ActualVersion;
                return (409, "Conflict", c.Message, "https://outreachos.dev/problems/concurrency", ext);
            case DuplicateEventException d:
                return (409, "Conflict", d.Message, "https://outreachos.dev/problems/duplicate-event", ext);
            case InsufficientCreditsException ic:
                ext["available"] = ic.Balance.Available;
                ext["requested"] = ic.Requested;
                ext["period"] = ic.Balance.Period;
                return (402, "Insufficient credits", ic.Message, "https://outreachos.dev/problems/insufficient-credits", ext);
            case CreditOrganizationNotFoundException missing:
                // A platform admin named an organization_id that does not exist: as for any organization not found.
                return (404, "Not found", $"Organization {missing.OrganizationId} was not found.", "https://outreachos.dev/problems/not-found", ext);
            case BadHttpRequestException { StatusCode: 413 }:
                return (413, "Payload too large", "The request body is larger than this endpoint accepts.", "https://outreachos.dev/problems/too-large", ext);
            case BadHttpRequestException b when FindJson(b) is { } json:
                // Every bad value when the body could be walked again (in document order, so the serializer's error comes
                // first); the serializer's own error leads when the walk did not find its field (or could not run).
                var field = JsonPathToField(json.Path);
                IReadOnlyList<(string Field, string Reason)> found = bodyErrors?.Any(e => e.Field == field) == true
                    ? bodyErrors
                    : [(field, JsonBodyErrors.Reason(json, bodyType, field)), .. bodyErrors ?? []];
                var errors = found.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).Distinct().ToArray());
                ext["errors"] = errors;
                var more = errors.Count > 1 ? $" (and {errors.Count - 1} more field(s), listed in errors)" : "";
                return (400, "The request body is not valid JSON for this endpoint.", $"'{found[0].Field}': {found[0].Reason}{more}", "https://outreachos.dev/problems/validation", ext);
            case BadHttpRequestException b when b.Message.Contains("no body was provided", StringComparison.Ordinal)
                || b.Message.Contains("was not provided from body", StringComparison.Ordinal):
                // ASP.NET's own words name the handler's parameter and suggest a service: a client needs to hear the body is missing.
                ext["errors"] = new Dictionary<string, string[]> { ["body"] = ["is required"] };
                return (400, "The request body is missing.", "This endpoint takes a JSON body.", "https://outreachos.dev/problems/validation", ext);
            case BadHttpRequestException b:
                return (b.StatusCode, "Bad request", b.Message, "https://outreachos.dev/problems/bad-request", ext);
            case OperationCanceledException:
                return (499, "Client closed request", "The request was cancelled.", "https://outreachos.dev/problems/cancelled", ext);
            case PostgresException pg when !PostgresErrors.IsTransient(pg):
                // The server refused the statement: retrying the same request gives the same answer, so never a 503.
                return pg.SqlState.StartsWith("22", StringComparison.Ordinal)
                    ? (400, "Bad request", "The request holds a value the database cannot store.", "https://outreachos.dev/problems/bad-request", ext)
                    : (500, "Internal server error", "An unexpected error occurred; it has been logged.", "https://outreachos.dev/problems/internal", ext);
            case PostgresException pg when PostgresErrors.IsLostRace(pg):
                // A serialization failure or deadlock, e.g. a newer transaction appended to the same stream first (ADR 0003):
                // the same request succeeds when sent again.
                return (503, "Service unavailable", "A concurrent change to the same data came first; send the request again.", "https://outreachos.dev/problems/unavailable", ext);
            case NpgsqlException:
                return (503, "Service unavailable", "The database is not reachable right now; retry later.", "https://outreachos.dev/problems/unavailable", ext);
            default:
                return (500, "Internal server error", "An unexpected error occurred; it has been logged.", "https://outreachos.dev/problems/internal", ext);
        }
    }

    private static JsonException? FindJson(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is JsonException j)
            {
                return j;
            }
        }
        return null;
    }

    /// <summary>"$.lead.first_name" → "lead.first_name"; "$" → "body".</summary>
    internal static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
