using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OutreachOS.BuildingBlocks.Web;

/// <summary>
/// Collects field errors for one request and turns them into an RFC 7807 validation problem (400) naming each field.
/// Field names are the JSON (snake_case) paths the client sent, e.g. <c>lead.first_name</c>.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(reason);
        return this;
    }

    public FieldErrors Required(string field, string? value, int maxLength = 1000)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        return this;
    }

    /// <summary>An identifier or filter that goes to the database: control characters (NUL above all, which PostgreSQL
    /// refuses in text with an error) are a problem naming the field, not a server error.</summary>
    public FieldErrors NoControlCharacters(string field, string? value)
    {
        if (TextInput.HasControlCharacters(value))
        {
            Add(field, "must not contain control characters");
        }
        return this;
    }

    public FieldErrors Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        return this;
    }

    /// <summary>
    /// A list's page size from the query string: absent → <paramref name="defaultValue"/>; else a whole number from 1 to
    /// <paramref name="max"/>. Read as text so that "abc" is a problem naming the field, not a binding failure.
    /// </summary>
    private void Limit(string? value, int defaultValue, int max, out int limit)
    {
        limit = defaultValue;
        if (value is not null && (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out limit)
            || limit < 1 || limit > max))
        {
            limit = defaultValue;
            Add("limit", $"must be a whole number from 1 to {max}");
        }
    }

    /// <summary>
    /// The paging arguments of a keyset-paged list: <c>limit</c> as <see cref="Limit"/> does, and <c>after</c>, which must
    /// be a <see cref="Documents.KeysetCursor"/> a previous page gave (<paramref name="isCursor"/> may check its key further).
    /// </summary>
    public FieldErrors Page(string? limit, string? after, int defaultLimit, int max, out int take, Func<string, bool>? isCursor = null)
    {
        Limit(limit, defaultLimit, max, out take);
        if (after is not null && !(Documents.KeysetCursor.TryParse(after, out _, out var key) && (isCursor?.Invoke(key) ?? true)))
        {
            Add("after", "must be the next value of a previous page");
        }
        return this;
    }

    /// <summary>The reasons by field, as a validation problem's <c>errors</c> lists them.</summary>
    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    public IResult ToProblem(string title = "The request is invalid.") =>
        TypedResults.ValidationProblem(ToDictionary(), title: title, type: "https://outreachos.dev/problems/validation");
}

public static class TextInput
{
    /// <summary>Whether the text holds a control character (U+0000-U+001F, U+007F-U+009F).</summary>
    public static bool HasControlCharacters(string? value) =>
        value is not null && (value.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || value.AsSpan().ContainsAnyInRange('\u007F', '\u009F'));
}

public static class Problems
{
    public static IResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} was not found.",
            type: "https://outreachos.dev/problems/not-found");

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
            type: "https://outreachos.dev/problems/forbidden");

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail,
            type: "https://outreachos.dev/problems/conflict");
}
