using System.Text.Json;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Prompting;

internal sealed record ParseResult(IReadOnlyList<ParsedVariantDto> Variants, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Strict reader of the model's answer: exactly <c>{"variants":[{"subject","message","personalization_points"}]}</c>,
/// no other properties, no surrounding prose or code fence, between 1 and the requested number of variants. Anything
/// else is a failed attempt (recorded with the reason, then retried once).
/// </summary>
internal static class VariantParser
{
    public static ParseResult Parse(string raw, int expected, bool withSubjects)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            return Fail($"the answer is not valid JSON ({e.Message})");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("the answer must be a JSON object");
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name != "variants")
                {
                    return Fail($"unexpected property \"{p.Name}\" at the top level");
                }
            }

            if (!root.TryGetProperty("variants", out var variants) || variants.ValueKind != JsonValueKind.Array)
            {
                return Fail("\"variants\" must be an array");
            }

            var count = variants.GetArrayLength();
            if (count == 0 || count > expected)
            {
                return Fail($"expected between 1 and {expected} variants, got {count}");
            }

            var list = new List<ParsedVariantDto>(count);
            var i = 0;
            foreach (var v in variants.EnumerateArray())
            {
                var (variant, error) = ReadVariant(v, i, withSubjects);
                if (error is not null)
                {
                    return Fail(error);
                }

                list.Add(variant!);
                i++;
            }

            return new ParseResult(list, null);
        }
    }

    private static (ParsedVariantDto?, string?) ReadVariant(JsonElement v, int i, bool withSubjects)
    {
        var at = $"variants[{i}]";
        if (v.ValueKind != JsonValueKind.Object)
        {
            return (null, $"{at} must be an object");
        }

        string? subject = null;
        string? message = null;
        List<string>? points = null;
        foreach (var p in v.EnumerateObject())
        {
            switch (p.Name)
            {
                case "subject" when p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    subject = p.Value.GetString();
                    break;
                case "message" when p.Value.ValueKind == JsonValueKind.String:
                    message = p.Value.GetString();
                    break;
                case "personalization_points" when p.Value.ValueKind == JsonValueKind.Array:
                    points = [];
                    foreach (var item in p.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            return (null, $"{at}.personalization_points must hold strings only");
                        }

                        points.Add(item.GetString()!);
                    }

                    break;
                case "subject" or "message" or "personalization_points":
                    return (null, $"{at}.{p.Name} has the wrong type ({p.Value.ValueKind})");
                default:
                    return (null, $"unexpected property \"{p.Name}\" in {at}");
            }
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            return (null, $"{at}.message is missing or empty");
        }

        if (points is null)
        {
            return (null, $"{at}.personalization_points is missing");
        }

        subject = withSubjects && !string.IsNullOrWhiteSpace(subject) ? subject.Trim() : null;
        return (new ParsedVariantDto(subject, message.Trim(), points), null);
    }

    private static ParseResult Fail(string error) => new([], error);
}
