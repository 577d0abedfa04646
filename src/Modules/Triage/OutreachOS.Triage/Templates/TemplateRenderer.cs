using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;

namespace OutreachOS.Triage.Templates;

/// <summary>
/// Handlebars for plain-text mail: no HTML escaping (a "&amp;" in a company name must stay "&amp;"), unknown helpers
/// fail at compile time instead of rendering silently, and no partials (a template cannot pull in another's text).
/// Compiled templates are cached by source text.
/// </summary>
internal sealed partial class TemplateRenderer
{
    private readonly IHandlebars _handlebars;
    private readonly IHandlebars _strict; // for validation: a name that is not a variable is an error, not empty text
    private readonly ConcurrentDictionary<string, HandlebarsTemplate<object, object>> _cache = new(StringComparer.Ordinal);

    public TemplateRenderer()
    {
        _handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true, ThrowOnUnresolvedBindingExpression = false });
        _strict = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true, ThrowOnUnresolvedBindingExpression = true });
        foreach (var handlebars in (IHandlebars[])[_handlebars, _strict])
        {
            // {{join list ", "}}: the only helper; pure and bounded by its input.
            handlebars.RegisterHelper("join", (context, arguments) =>
            {
                var separator = arguments.Length > 1 ? arguments[1]?.ToString() ?? ", " : ", ";
                return arguments.Length > 0 && arguments[0] is IEnumerable<object> items
                    ? string.Join(separator, items.Select(i => i?.ToString()))
                    : arguments.Length > 0 && arguments[0] is IEnumerable<string> strings ? string.Join(separator, strings) : string.Empty;
            });
        }
    }

    /// <summary>
    /// Renders a template as <see cref="Render"/> does, except that a name the model does not hold (a misspelt variable,
    /// <c>{{order.refund_link}}</c>, a helper that does not exist) throws <see cref="TemplateCompileException"/> naming it
    /// instead of rendering as nothing. For validation: only the branches the model takes are checked.
    /// </summary>
    public string RenderStrict(string source, IReadOnlyDictionary<string, object?> model)
    {
        try
        {
            return Compiled(_strict, source)(model);
        }
        catch (Exception e) when (e is not (TemplateCompileException or OutOfMemoryException))
        {
            throw Failure(e);
        }
    }

    /// <summary>Compiles (and caches) a template; throws <see cref="TemplateCompileException"/> with the reason.</summary>
    public HandlebarsTemplate<object, object> Compile(string source)
    {
        if (_cache.TryGetValue(source, out var compiled))
        {
            return compiled;
        }

        compiled = Compiled(_handlebars, source);

        if (_cache.Count > 1000)
        {
            _cache.Clear(); // bounded: organizations edit templates rarely
        }

        _cache[source] = compiled;
        return compiled;
    }

    private static HandlebarsTemplate<object, object> Compiled(IHandlebars handlebars, string source)
    {
        try
        {
            return handlebars.Compile(source);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Failure(e);
        }
    }

    public string Render(string source, IReadOnlyDictionary<string, object?> model)
    {
        try
        {
            return Compile(source)(model);
        }
        catch (Exception e) when (e is not (TemplateCompileException or OutOfMemoryException))
        {
            throw Failure(e);
        }
    }

    // Handlebars.Net reports most errors as HandlebarsException, but malformed blocks fail inside it with whatever it hit
    // ("{{#if}}" without its argument: InvalidOperationException; two {{else}}: ArgumentNullException or
    // IndexOutOfRangeException), when compiling or when first rendering. The source is the only untrusted input and the
    // model and the one helper are ours, so any such failure is the template's error: a 400 at PUT, not a 500.
    private static TemplateCompileException Failure(Exception e) => e switch
    {
        HandlebarsUndefinedBindingException => new TemplateCompileException($"unknown variable: {e.Message}", e),
        HandlebarsException => new TemplateCompileException(e.Message, e),
        _ => new TemplateCompileException($"{e.Message} (a block such as {{{{#if}}}} without its argument, or with two {{{{else}}}}?)", e),
    };

    /// <summary>Renders a body and tidies the whitespace that block helpers leave behind.</summary>
    public string RenderBody(string source, IReadOnlyDictionary<string, object?> model) => Tidy(Render(source, model));

    /// <summary>Subjects are one line: line breaks collapse to spaces.</summary>
    public string RenderSubject(string source, IReadOnlyDictionary<string, object?> model) =>
        Spaces().Replace(Render(source, model).Replace('\r', ' ').Replace('\n', ' '), " ").Trim();

    internal static string Tidy(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd());
        var sb = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                blank++;
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(blank > 0 ? "\n\n" : "\n");
            }

            blank = 0;
            sb.Append(line);
        }

        return sb.ToString();
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();
}

internal sealed class TemplateCompileException(string message, Exception inner) : Exception(message, inner);
