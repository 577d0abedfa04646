using System.Text;
using OutreachOS.Triage.Templates;

namespace OutreachOS.UnitTests.Responses;

/// <summary>
/// Reply templates are organization data and the values filled in are partly the customer's (the display name, the
/// subject): any template text — unterminated, mismatched, escaped, commented mustaches — is either refused at
/// <c>PUT /templates</c> or rendered, never another exception; a value is inserted as written, never expanded again (a
/// customer called <c>{{order.refund_link}}</c> is greeted by that name); and a name that is not a template variable is
/// reported at <c>PUT /templates</c> (ADR 0005), not rendered as nothing — at the top level and in either branch of a
/// block on one variable (what the validation's all-set and all-empty trial renders reach).
/// </summary>
public sealed class TemplateFuzzTests
{
    private readonly TemplateRenderer _renderer = new();

    private static readonly string[] Strings =
        ["sender_name", "sender_full_name", "original_subject", "reply_subject", "intent", "urgency", "ticket_id", "slot_1", "slot_2",
         "booking_link", "eta_window", "partner_alias", "signature"];

    private static readonly string[] Lists = ["slots", "pricing_paragraphs", "doc_links"];

    private static readonly string[] Unknown =
        ["{{order.refund_link}}", "{{sendr_name}}", "{{sender_name.first}}", "{{customer}}", "{{Signature}}", "{{refund_link}}",
         "{{join nope \", \"}}", "{{#if nope}}x{{/if}}", "{{#each nope}}{{this}}{{/each}}", "{{lookup nope 0}}", "{{@root.nope}}"];

    private static readonly string[] Pieces =
    [
        "{{", "}}", "{{{", "}}}", "{", "}", "{{#if slot_1}}", "{{#if}}", "{{/if}}", "{{else}}", "{{^}}", "{{#each doc_links}}", "{{/each}}", "{{this}}",
        "{{@index}}", "{{../signature}}", "{{!-- ", " --}}", "{{! note }}", "\\{{", "\\\\{{", "{{> p}}", "{{#> p}}", "{{join slots \", \"}}", "{{join}}",
        "{{sender_name}}", "{{&sender_name}}", "{{~sender_name~}}", "{{#unless booking_link}}", "{{/unless}}", "{{#with sender_name}}", "{{/with}}",
        "{{{{raw}}}}", "{{{{/raw}}}}", "{{order.refund_link}}", "{{lookup slots 0}}", "{{slots.[0]}}", "{{\"str\"}}", "{{1}}", "{{#each}}", "{{/}}",
        "Hi ", "Thank you.", "\n", "\r\n", " ", "é", "🙂", "\u0000", "\u200b", "&amp;", "<b>", "(", ")", "=", "|", "#", "/", "@", "..", "'", "\"",
    ];

    private static readonly string[] Hostile =
    [
        "{{order.refund_link}}", "{{signature}}", "{{#if slot_1}}", "{{/if}}", "}}", "{{", "{{{sender_name}}}", "{{{{raw}}}}", "\\{{x}}", "{{> p}}",
        "{{!-- c --}}", "[EMAIL_1]", "&amp;", "<b>x</b>", "Ana María", "{{join slots}}", "{{@root.signature}}", "{{lookup . 'signature'}}", "O'Brien",
        "https://x.test/?a={{b}}",
    ];

    [Fact]
    public void Any_template_text_is_refused_or_rendered_and_nothing_else_is_thrown()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(1500);
        var model = ReplyModel.Sample();
        for (var i = 0; i < runs; i++)
        {
            var source = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            try
            {
                var errors = TemplateValidation.Validate(Set(source), _renderer);
                foreach (var m in new[] { model, ReplyModel.EmptySample() })
                {
                    try
                    {
                        _renderer.RenderBody(source, m);
                        _renderer.RenderSubject(source, m);
                    }
                    catch (TemplateCompileException)
                    {
                        Assert.True(errors.Any, $"seed {FuzzRuns.Seed}, run {i}: passed validation but does not render: {FuzzRuns.Shown(source)}");
                    }
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {FuzzRuns.Seed}, run {i}: threw {e.GetType().Name} ({e.Message}) on {FuzzRuns.Shown(source)}");
            }
        }
    }

    [Fact]
    public void Values_are_inserted_as_written_and_never_expanded_again()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(500);
        var defaults = DefaultTemplates.All.Values.SelectMany(t => new[] { t.Subject!, t.Body! }).ToArray();
        for (var i = 0; i < runs; i++)
        {
            var source = random.Next(3) == 0 ? defaults[random.Next(defaults.Length)] : WellFormed(random, depth: 2);
            // Each value is first a token, then a hostile text; the two renderings differ by exactly those replacements.
            var tokens = new Dictionary<string, object?>(StringComparer.Ordinal);
            var hostile = new Dictionary<string, object?>(StringComparer.Ordinal);
            var swaps = new List<(string Token, string Value)>();
            var n = 0;
            string Next()
            {
                var token = $"QZX{n++:D3}QZX";
                var value = string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Hostile[random.Next(Hostile.Length)]));
                swaps.Add((token, value));
                return token;
            }
            foreach (var name in Strings)
            {
                tokens[name] = Next();
                hostile[name] = swaps[^1].Value;
            }
            foreach (var name in Lists)
            {
                var items = Enumerable.Range(0, random.Next(1, 3)).Select(_ => (Token: Next(), swaps[^1].Value)).ToArray();
                tokens[name] = items.Select(x => x.Token).ToArray();
                hostile[name] = items.Select(x => x.Value).ToArray();
            }

            string expectedBody, expectedSubject, body, subject;
            try
            {
                expectedBody = swaps.AsEnumerable().Reverse().Aggregate(_renderer.RenderBody(source, tokens), (t, s) => t.Replace(s.Token, s.Value, StringComparison.Ordinal));
                expectedSubject = swaps.AsEnumerable().Reverse().Aggregate(_renderer.RenderSubject(source, tokens), (t, s) => t.Replace(s.Token, s.Value, StringComparison.Ordinal));
                body = _renderer.RenderBody(source, hostile);
                subject = _renderer.RenderSubject(source, hostile);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {FuzzRuns.Seed}, run {i}: threw {e.GetType().Name} ({e.Message}) on {FuzzRuns.Shown(source)}");
                return;
            }
            Assert.True(expectedBody == body,
                $"seed {FuzzRuns.Seed}, run {i}: body {FuzzRuns.Shown(body)}, expected {FuzzRuns.Shown(expectedBody)} from {FuzzRuns.Shown(source)}");
            Assert.True(expectedSubject == subject,
                $"seed {FuzzRuns.Seed}, run {i}: subject {FuzzRuns.Shown(subject)}, expected {FuzzRuns.Shown(expectedSubject)} from {FuzzRuns.Shown(source)}");
        }
    }

    [Fact]
    public void A_name_that_is_not_a_variable_is_reported_and_a_template_without_one_passes()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(300);
        for (var i = 0; i < runs; i++)
        {
            var known = WellFormed(random, depth: 1);
            Assert.False(TemplateValidation.Validate(Set(known), _renderer).Any, $"seed {FuzzRuns.Seed}, run {i}: refused {FuzzRuns.Shown(known)}");

            var unknown = WellFormed(random, depth: 1, plant: Unknown[random.Next(Unknown.Length)]);
            var errors = TemplateValidation.Validate(Set(unknown), _renderer);
            Assert.True(errors.Any, $"seed {FuzzRuns.Seed}, run {i}: an unknown name passed validation in {FuzzRuns.Shown(unknown)}");
        }
    }

    /// <summary>Names that rendered as nothing and passed <c>PUT /templates</c>; the last rows are known names and stay valid.</summary>
    [Theory]
    [InlineData("Hi {{sendr_name}},", true)]
    [InlineData("Your refund: {{order.refund_link}}", true)]
    [InlineData("{{#if refund_link}}Refund: {{refund_link}}{{/if}}", true)]
    [InlineData("{{#if slot_1}}{{slot_1}}{{else}}{{booking_url}}{{/if}}", true)]
    [InlineData("{{#unless pricing_paragraphs}}{{price}}{{/unless}}", true)]
    [InlineData("Hi {{sender_name.first}}", true)]
    [InlineData("{{#if slot_1}}{{#unless slot_2}}Hi {{sendr_name}}{{/unless}}{{/if}}", true)] // neither trial render reaches it
    [InlineData("{{#unless booking_link}}{{#if slot_1}}{{join slotz \", \"}}{{/if}}{{/unless}}", true)]
    [InlineData("{{#if slot_1}}{{#unless slot_2}}Hi {{sender_name}} {{~signature~}}{{/unless}}{{/if}} {{{original_subject}}}", false)]
    [InlineData("{{#each doc_links}}{{@index}}. {{this}} ({{../signature}}){{/each}}", false)]
    [InlineData("{{join slots \", \"}} \\{{not_a_variable}} {{!-- {{nor_this}} --}}", false)]
    [InlineData("{{#if slot_1}}{{slot_1}}{{else}}{{booking_link}}{{/if}}", false)]
    public void Unknown_names_are_validation_errors(string body, bool refused)
    {
        var errors = TemplateValidation.Validate(Set(body), _renderer);
        Assert.Equal(refused, errors.Any);
        if (refused)
        {
            var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
            Assert.Contains("templates.t.body", problem.ProblemDetails.Errors.Keys);
        }
    }

    /// <summary>Blocks without their argument (and blocks with two <c>{{else}}</c>) made Handlebars.Net's compiler throw
    /// InvalidOperationException (ArgumentNullException, IndexOutOfRangeException), which escaped validation: <c>PUT /templates</c> answered 500
    /// instead of a 400 naming the template.</summary>
    [Theory]
    [InlineData("{{#if}}x{{/if}}")]
    [InlineData("{{#unless}}x{{else}}y{{/unless}}")]
    [InlineData("{{#each}}{{this}}{{/each}}")]
    [InlineData("Hi {{sender_name}}, {{#unless booking_link}}{{#if}}x{{/if}}{{/unless}}")]
    [InlineData("{{#if slot_1}}a{{else}}b{{else}}c{{/if}}")]
    [InlineData("{{#if slot_1}}{{else}}{{else}}")]
    [InlineData("{{#/@..'{{1}}")]
    [InlineData("&amp; --}}{{lookup slots 0}}|{{^}}{{else}}{{else}}={{! note }}🙂{{/if}}{{> p}})\n{{/}}")]
    public void Malformed_blocks_are_validation_errors(string body)
    {
        var errors = TemplateValidation.Validate(Set(body), _renderer);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
        Assert.Contains("templates.t.body", problem.ProblemDetails.Errors.Keys);
        Assert.Throws<TemplateCompileException>(() => _renderer.RenderBody(body, ReplyModel.Sample()));
    }

    private static TemplateSet Set(string body) => new(new Dictionary<string, ReplyTemplate> { ["t"] = new(null, body, body) }, null);

    /// <summary>A template of known names only (text, variables, if/unless/each blocks with else branches), nested up to
    /// <paramref name="depth"/>; <paramref name="plant"/>, when given, is put at one random place in it.</summary>
    private static string WellFormed(Random random, int depth, string? plant = null)
    {
        var parts = new List<string>();
        Segments(random, depth, parts);
        if (plant is not null)
        {
            // Only between parts: a place inside a block is between its opening and closing parts.
            parts.Insert(random.Next(parts.Count + 1), plant);
        }
        return string.Concat(parts);
    }

    private static void Segments(Random random, int depth, List<string> parts)
    {
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            switch (random.Next(depth > 0 ? 6 : 3))
            {
                case 0:
                    parts.Add(random.Next(2) == 0 ? "Hi, " : "\nThank you.\n");
                    break;
                case 1:
                    parts.Add("{{" + Strings[random.Next(Strings.Length)] + "}}");
                    break;
                case 2:
                    parts.Add($"{{{{join {Lists[random.Next(Lists.Length)]} \", \"}}}}");
                    break;
                case 3 or 4:
                    var helper = random.Next(2) == 0 ? "if" : "unless";
                    var all = Strings.Concat(Lists).ToArray();
                    parts.Add($"{{{{#{helper} {all[random.Next(all.Length)]}}}}}");
                    Segments(random, depth - 1, parts);
                    if (random.Next(2) == 0)
                    {
                        parts.Add("{{else}}");
                        Segments(random, depth - 1, parts);
                    }
                    parts.Add($"{{{{/{helper}}}}}");
                    break;
                default:
                    parts.Add($"{{{{#each {Lists[random.Next(Lists.Length)]}}}}}");
                    parts.Add(random.Next(2) == 0 ? "- {{this}}\n" : "{{@index}}: {{this}} {{../signature}}\n");
                    if (random.Next(2) == 0)
                    {
                        parts.Add("{{else}}none");
                    }
                    parts.Add("{{/each}}");
                    break;
            }
        }
    }
}
