using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Prompting;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Llm;

namespace OutreachOS.Generation.Offline;

/// <summary>
/// The offline model for "personalize.v1": composes variants deterministically from the INPUT block of the prompt and
/// nothing else, so it can never state a number, name or claim that the input does not hold. Hooks follow the
/// hierarchy company keywords (or summary) → role/title → tech stack, with a generic but relevant opener when the
/// context is thin (its topic then the function the lead's title names, e.g. "operations" for "Head of Operations");
/// variant N starts from hook N of that list, a hook used a second time is worded differently, and the variants of one
/// answer never share a middle sentence. Tone,
/// channel limits, framework and max_words shape the text; sentences that are optional are dropped (last first) until it
/// fits. Context items holding wording the prompt's AVOID line names (spam, forbidden or competitor wording found in the
/// lead's context by the guardrails) are left out, as a model following the prompt would.
/// </summary>
internal sealed partial class PersonalizeOfflineComposer : IOfflineTaskHandler
{
    private const int LinkedInLimit = 300;
    private const int SmsMaxSegments = 2;

    /// <summary>Longer subject lines are not used (the company or topic made them so).</summary>
    private const int MaxSubjectChars = 60;

    /// <summary>How many other hooks or wordings are tried for a variant that repeats an earlier one.</summary>
    private const int MaxShifts = 12;

    /// <summary>A summary's first sentence longer than this is cut (with "..."): it would be most of a message.</summary>
    private const int MaxSummaryWords = 25;

    /// <summary>The summary's share of the shortest opener, for LinkedIn notes and SMS.</summary>
    private const int ShortSummaryWords = 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string Task => PromptRenderer.TemplateId;

    public string Complete(LlmPrompt prompt)
    {
        var input = PromptInput.TryRead(prompt.User)
            ?? throw new InvalidOperationException("The personalize prompt has no readable INPUT block.");
        var variants = input.VariantNumbers.Count > 0 ? input.VariantNumbers : [.. Enumerable.Range(1, input.VariantCount)];
        var avoid = PromptRenderer.ReadAvoid(prompt.User);
        // A regeneration lists what was shown before; a variant equal to one of those (or to another of this answer) is
        // composed again from the next hook or wording, as a model asked for new variants would write them.
        var seen = new HashSet<string>(PromptRenderer.ReadEarlier(prompt.User), StringComparer.Ordinal);
        var facts = FactsOf(input, avoid);
        var list = new List<Composed>(variants.Count);
        foreach (var n in variants)
        {
            var composed = Compose(input, facts, n - 1);
            for (var shift = 1; seen.Contains(composed.Message) && shift <= MaxShifts; shift++)
            {
                composed = Compose(input, facts, n - 1 + shift * Math.Max(1, input.VariantCount));
            }

            seen.Add(composed.Message);
            // Subject lines are tested against each other: two variants of one answer never share one.
            if (composed.Subject is { } subject && list.Any(v => v.Subject == subject))
            {
                composed = composed with
                {
                    Subject = SubjectLines(facts, Topic(facts)).Where(s => s.Length <= MaxSubjectChars).FirstOrDefault(s => list.All(v => v.Subject != s)) ?? subject,
                };
            }
            list.Add(composed);
        }

        return JsonSerializer.Serialize(new { variants = list.Select(v => new { subject = v.Subject ?? "", message = v.Message, personalization_points = v.Points }) }, Json);
    }

    internal sealed record Composed(string? Subject, string Message, IReadOnlyList<string> Points);

    private enum HookKind
    {
        Keywords,
        Summary,
        Role,
        Tech,
        Generic,
    }

    private sealed record Facts(string First, string Company, string? Title, IReadOnlyList<string> Keywords, string? Summary, IReadOnlyList<string> Tech);

    private static Composed Compose(PromptInput input, Facts facts, int slot)
    {
        var hooks = HooksOf(facts);
        var hook = hooks[slot % hooks.Count];
        // Past the first round of hooks (3 variants from fewer hooks, or a regeneration) a hook is worded another way: its
        // three other openers, and a style that moves on with the slot (so two variants of one answer never share their
        // middle sentence) and skips one every three rounds (so opener and middle do not cycle together: nine
        // combinations before one repeats).
        var again = slot >= hooks.Count;
        var round = slot / hooks.Count;
        var style = again ? slot + ((round - 1) / 3) : slot;
        var topic = Topic(facts);
        var tone = input.Tone;

        var greeting = Greeting(input.Channel, tone, facts.First, style);
        var opener = again ? OpenerAgain(hook, facts, (round - 1) % 3) : Opener(hook, facts, input.Framework, tone, style);
        var cta = CallToAction(input.Goal, tone, style);
        var shortChannel = input.Channel != Channel.Email;
        var middle = Middle(input.Framework, topic, tone, style, shortChannel);

        // An SMS is measured as the length check measures it: one character outside GSM-7 (an accent in a name, an
        // emoji in a keyword) makes the whole text UCS-2, 67 characters per segment instead of 153.
        bool FitsChannel(string m) => input.Channel switch
        {
            Channel.Linkedin => m.Length <= LinkedInLimit,
            Channel.Sms => SmsSegments.Calculate(m).Segments <= SmsMaxSegments,
            _ => true,
        };
        var signOff = input.Channel == Channel.Email ? SignOff(tone) : null;
        bool Fits(string m) => Words(m) <= input.MaxWords && FitsChannel(m);

        // Drop optional sentences from the end of the middle until the words and characters fit.
        var kept = middle.ToList();
        var message = Assemble(input.Channel, greeting, opener, kept, cta, signOff);
        while (!Fits(message) && kept.Count > 0)
        {
            kept.RemoveAt(kept.Count - 1);
            message = Assemble(input.Channel, greeting, opener, kept, cta, signOff);
        }

        // Still too long: a short hook that keeps the reason, then a short ask, then no sign-off.
        if (!Fits(message))
        {
            opener = ShortOpener(hook, facts);
            message = Assemble(input.Channel, greeting, opener, [], cta, signOff);
        }

        if (!Fits(message))
        {
            cta = ShortCallToAction(input.Goal);
            message = Assemble(input.Channel, greeting, opener, [], cta, signOff);
        }

        if (!Fits(message))
        {
            message = Assemble(input.Channel, greeting, opener, [], cta, null);
        }

        var subject = input.IncludeSubjects && input.Channel == Channel.Email ? Subject(hook, facts, topic, slot) : null;
        return new Composed(subject, message, Points(hook, facts));
    }

    private static Facts FactsOf(PromptInput input, IReadOnlyList<string> avoid)
    {
        var lead = input.Lead;
        var ctx = input.CompanyContext;
        var words = avoid.Select(Clean).OfType<string>().ToList();
        string? Usable(string? s) => s is not null && words.Any(w => s.Contains(w, StringComparison.OrdinalIgnoreCase)) ? null : s;
        return new Facts(
            Clean(lead.FirstName) ?? "there",
            Clean(lead.CompanyName) ?? "your team",
            Usable(Clean(lead.Title)),
            [.. Distinct(ctx?.Keywords).Where(k => Usable(k) is not null)],
            Usable(FirstSentence(Clean(ctx?.Summary)) is { } first ? Excerpt(first, MaxSummaryWords) : null),
            [.. Distinct(ctx?.TechStack).Where(t => Usable(t) is not null)]);
    }

    private static List<HookKind> HooksOf(Facts f)
    {
        var hooks = new List<HookKind>(3);
        if (f.Keywords.Count > 0)
        {
            hooks.Add(HookKind.Keywords);
        }
        else if (f.Summary is not null)
        {
            hooks.Add(HookKind.Summary);
        }

        if (f.Title is not null)
        {
            hooks.Add(HookKind.Role);
        }

        if (f.Tech.Count > 0)
        {
            hooks.Add(HookKind.Tech);
        }

        if (hooks.Count == 0)
        {
            hooks.Add(HookKind.Generic);
        }

        return hooks;
    }

    private static string Topic(Facts f) =>
        f.Keywords.FirstOrDefault() ?? f.Tech.FirstOrDefault() ?? RoleFocus(f.Title) ?? "your team's goals";

    /// <summary>
    /// The business function a title names ("Head of Operations" → "operations", "VP Sales" → "sales", "Marketing
    /// Manager" → "marketing"), for a topic when the context has no keywords or tech: the lead's own title is input, so
    /// the topic stays sourced. Only functions from a fixed list: a title like "Founder" or "CTO" gives none.
    /// </summary>
    internal static string? RoleFocus(string? title)
    {
        if (title is null)
        {
            return null;
        }
        var m = SeniorityFirstRegex().Match(title);
        if (!m.Success)
        {
            m = FunctionFirstRegex().Match(title);
        }
        if (!m.Success)
        {
            return null;
        }
        // The list's own spelling, however the title wrote it: lower case inside a sentence, acronyms upper case.
        var named = FunctionJoinRegex().Split(m.Groups["f"].Value.Trim())
            .Select(part => Functions.TryGetValue(part, out var spelled) ? spelled : null).ToList();
        return named.Count is 1 or 2 && named.All(n => n is not null) ? string.Join(" and ", named) : null;
    }

    /// <summary>Known functions as they are written inside a sentence (matched ignoring case).</summary>
    private static readonly HashSet<string> Functions = new(StringComparer.OrdinalIgnoreCase)
    {
        "operations", "sales", "marketing", "engineering", "finance", "product", "customer success", "customer support",
        "support", "customer experience", "people", "human resources", "HR", "talent", "talent acquisition", "recruiting",
        "IT", "information technology", "security", "information security", "data", "analytics", "growth", "partnerships",
        "business development", "procurement", "purchasing", "supply chain", "logistics", "revenue operations",
        "sales operations", "marketing operations", "demand generation", "design", "legal", "compliance", "facilities",
        "infrastructure", "platform", "quality", "research", "accounting", "communications", "e-commerce", "ecommerce", "ops",
        "revops", "devops",
    };

    private static string Greeting(Channel channel, Tone tone, string first, int slot) => (channel, tone) switch
    {
        (Channel.Sms, _) => $"Hi {first},",
        (_, Tone.Professional) => slot % 2 == 0 ? $"Hello {first}," : $"Hi {first},",
        (_, Tone.Friendly) => $"Hi {first},",
        _ => $"Hi {first},",
    };

    private static string Opener(HookKind hook, Facts f, Framework? framework, Tone tone, int slot)
    {
        // AIDA wants an attention cue ("noticed", "saw", "came across") in the opening sentence.
        var seen = framework == Framework.Aida || tone != Tone.Direct
            ? (slot % 2 == 0 ? "I noticed" : "I saw that")
            : "I noticed";
        return hook switch
        {
            HookKind.Keywords => tone == Tone.Friendly
                ? $"{seen} {f.Company} is all about {List(f.Keywords, 2)}."
                : $"{seen} {f.Company} is focused on {List(f.Keywords, 2)}.",
            HookKind.Summary => f.Summary!.StartsWith(f.Company, StringComparison.OrdinalIgnoreCase)
                ? $"I read that {f.Summary}"
                : $"I read about {f.Company}: {f.Summary}",
            HookKind.Role => slot % 2 == 0
                ? $"I noticed your role as {f.Title} at {f.Company}."
                : $"I was curious how you approach {Topic(f)} in your role as {f.Title} at {f.Company}.",
            HookKind.Tech => $"{seen} {f.Company} runs on {List(f.Tech, 2)}.",
            _ => $"I came across {f.Company} and wanted to reach out.",
        };
    }

    /// <summary>A hook's other wordings (0-2), for a hook used past the first round (never the same opener twice).</summary>
    private static string OpenerAgain(HookKind hook, Facts f, int form) => (hook, form) switch
    {
        (HookKind.Keywords, 0) => $"Your team's focus on {List(f.Keywords, 2)} caught my eye.",
        (HookKind.Keywords, 1) when f.Keywords.Count > 2 => $"I came across {f.Company}'s work on {List([.. f.Keywords.Skip(2)], 2)}.",
        (HookKind.Keywords, 1) => $"I came across {f.Company}'s work on {f.Keywords[^1]}.",
        (HookKind.Keywords, _) => $"I noticed {f.Company}'s interest in {f.Keywords[0]}.",
        (HookKind.Role, 0) => $"Your work as {f.Title} at {f.Company} caught my eye.",
        (HookKind.Role, 1) => $"I came across your profile as {f.Title} at {f.Company}.",
        (HookKind.Role, _) => $"I saw that you are {f.Title} at {f.Company}.",
        (HookKind.Tech, 0) => $"Your team's use of {List(f.Tech, 2)} caught my eye.",
        (HookKind.Tech, 1) => $"I came across {f.Company}'s use of {f.Tech[^1]}.",
        (HookKind.Tech, _) => $"I noticed {f.Company} works with {f.Tech[0]}.",
        (HookKind.Summary, 0) => $"{f.Company} caught my eye. {f.Summary}",
        (HookKind.Summary, 1) => $"I came across {f.Company} and read: {f.Summary}",
        (HookKind.Summary, _) => $"I noticed this about {f.Company}: {f.Summary}",
        (_, 0) => $"{f.Company} caught my eye, so I wanted to say hello.",
        (_, 1) => $"I wanted to reach out to you at {f.Company}.",
        _ => $"I noticed {f.Company} and thought I would reach out.",
    };

    private static string ShortOpener(HookKind hook, Facts f) => hook switch
    {
        HookKind.Keywords => $"I noticed your focus on {f.Keywords[0]}.",
        HookKind.Role => $"I noticed your role as {f.Title}.",
        HookKind.Tech => $"I saw you use {f.Tech[0]}.",
        HookKind.Summary => $"I read about {f.Company}: {Excerpt(f.Summary!, ShortSummaryWords)}",
        _ => $"I came across {f.Company}.",
    };

    private static IReadOnlyList<string> Middle(Framework? framework, string topic, Tone tone, int slot, bool shortChannel) => (framework, shortChannel) switch
    {
        // LinkedIn notes and SMS have room for every framework part only in its shortest form.
        (Framework.Aida, true) => ["We help teams like yours.", "It frees up time so your team can focus."],
        (Framework.Pas, true) => ["Keeping it on track is a challenge.", "Delays add up every week.", "That's where we help."],
        (Framework.Bab, true) => ["Right now it is often manual work.", "Imagine it running smoothly.", "That's where we come in."],
        (_, _) => Middle(framework, topic, tone, slot),
    };

    /// <summary>
    /// The middle sentences, one wording set per slot of an answer (slot modulo 3), each carrying its framework's parts
    /// in order (the framework check's cues), so that three variants of one framework do not read as one text three times.
    /// </summary>
    private static IReadOnlyList<string> Middle(Framework? framework, string topic, Tone tone, int slot) => (framework, slot % 3) switch
    {
        (Framework.Aida, 0) =>
        [
            $"We help teams like yours that care about {topic}.",
            $"The aim is to free up time so your team can focus on {topic} instead of busywork.",
        ],
        (Framework.Aida, 1) =>
        [
            $"Our work is with teams that put {topic} first.",
            $"That way your team can spend less time on busywork and more on {topic}.",
        ],
        (Framework.Aida, _) =>
        [
            $"Here's why I'm reaching out: we help teams make {topic} simpler.",
            $"It could mean fewer manual steps, so the team can focus on {topic}.",
        ],
        (Framework.Pas, 0) =>
        [
            $"Keeping {topic} on track can be a real challenge when priorities shift.",
            "That often means slow handoffs, and the delays add up every week.",
            $"That's where we help, with a lighter way to keep {topic} moving.",
        ],
        (Framework.Pas, 1) =>
        [
            $"A lot of manual work tends to pile up around {topic}.",
            "Left alone, it slows every handoff, and the cost adds up every month.",
            $"That's why we built a simpler way to keep {topic} on track.",
        ],
        (Framework.Pas, _) =>
        [
            $"Staying on top of {topic} is difficult when the team is stretched.",
            "Meanwhile, small delays pile up and deadlines start to slip.",
            $"Our approach helps you keep {topic} moving with less effort.",
        ],
        (Framework.Bab, 0) =>
        [
            $"Right now, a lot of teams still handle {topic} with manual steps.",
            $"Imagine {topic} running smoothly without the extra manual work.",
            "That's where we come in.",
        ],
        (Framework.Bab, 1) =>
        [
            $"Today, {topic} often still takes a lot of manual follow-up.",
            $"Picture {topic} moving forward on its own, with no more chasing.",
            "That's where our team can help.",
        ],
        (Framework.Bab, _) =>
        [
            $"Currently, keeping {topic} on track is still mostly manual.",
            "Imagine it running quietly in the background instead.",
            "Here's how we help.",
        ],
        // Three wordings per tone, one per slot of an answer: with thin context all three variants share one hook, and
        // the same sentence in two of them read as a template.
        _ => tone switch
        {
            Tone.Direct => [(slot % 3) switch
            {
                0 => $"I have an idea for {topic}.",
                1 => $"I have one concrete idea on {topic}.",
                _ => $"One idea on {topic} is worth a look.",
            }],
            Tone.Friendly => [(slot % 3) switch
            {
                0 => $"I had an idea about {topic} that felt worth sharing.",
                1 => $"I have a thought on {topic} you might like.",
                _ => $"Something about {topic} made me think of you.",
            }],
            _ => [(slot % 3) switch
            {
                0 => $"I have an idea about {topic} that may be useful to you.",
                1 => $"I would value your view on how you approach {topic}.",
                _ => $"I have been thinking about {topic} and would appreciate your perspective.",
            }],
        },
    };

    private static string CallToAction(string goal, Tone tone, int slot)
    {
        var g = goal.Trim().TrimEnd('.', '!', '?');
        if (g.Length > 0 && !StartsWithAcronym(g))
        {
            g = char.ToLowerInvariant(g[0]) + g[1..];
        }

        var firstWord = g.Split(' ', 2)[0].ToLowerInvariant();
        var isVerb = CtaVerbs.Contains(firstWord);
        return (isVerb, tone) switch
        {
            (true, Tone.Direct) => $"Can we {g}?",
            (true, Tone.Friendly) => $"Would you like to {g}?",
            (true, _) => slot % 2 == 0 ? $"Would it make sense to {g}?" : $"Would you be open to a short conversation to {g}?",
            (false, Tone.Direct) => $"Open to {g}?",
            (false, Tone.Friendly) => $"Would you be up for {g}?",
            _ => $"Would you be open to {g}?",
        };
    }

    private static string ShortCallToAction(string goal) => $"Open to {Lower(goal)}?";

    private static string Lower(string goal)
    {
        var g = goal.Trim().TrimEnd('.', '!', '?');
        return g.Length > 0 && !StartsWithAcronym(g) ? char.ToLowerInvariant(g[0]) + g[1..] : g;
    }

    private static string SignOff(Tone tone) => tone switch
    {
        Tone.Friendly => "Cheers,",
        Tone.Direct => "Thanks,",
        _ => "Best regards,",
    };

    /// <summary>Every subject line the composer writes for this lead, in a fixed order.</summary>
    private static string[] SubjectLines(Facts f, string topic) =>
        [$"Quick question about {topic}", $"{f.Company} and {topic}", $"Idea for {f.Company}", $"A question for {f.Company}", $"Reaching out to {f.Company}"];

    /// <summary>The index in <see cref="SubjectLines"/> of "Idea for {company}", the line used when a hook's own is too long.</summary>
    private const int IdeaForCompany = 2;

    /// <summary>The subject lines (indexes into <see cref="SubjectLines"/>) a hook uses, one per slot.</summary>
    private static int[] SubjectOrder(HookKind hook) => hook switch
    {
        HookKind.Role => [3, 2, 1],
        HookKind.Generic => [2, 3, 4],
        _ => [0, 1, 2],
    };

    private static string Subject(HookKind hook, Facts f, string topic, int slot)
    {
        var lines = SubjectLines(f, topic);
        var order = SubjectOrder(hook);
        var subject = lines[order[slot % order.Length]];
        return subject.Length <= MaxSubjectChars ? subject : lines[IdeaForCompany].Length <= MaxSubjectChars ? lines[IdeaForCompany] : "A quick question";
    }

    private static List<string> Points(HookKind hook, Facts f) => hook switch
    {
        HookKind.Keywords => [$"company focus: {List(f.Keywords, 2)}"],
        HookKind.Summary => [$"company summary: {f.Summary}"],
        HookKind.Role => [$"role: {f.Title} at {f.Company}"],
        HookKind.Tech => [$"tech stack: {List(f.Tech, 2)}"],
        _ => [$"company: {f.Company}"],
    };

    private static string Assemble(Channel channel, string greeting, string opener, IReadOnlyList<string> middle, string cta, string? signOff)
    {
        var body = string.Join(' ', new[] { opener }.Concat(middle));
        if (channel != Channel.Email)
        {
            return $"{greeting} {body} {cta}";
        }

        var sb = new StringBuilder(greeting).Append("\n\n").Append(body).Append("\n\n").Append(cta);
        if (signOff is not null)
        {
            sb.Append("\n\n").Append(signOff);
        }

        return sb.ToString();
    }

    internal static int Words(string text) => WordRegex().Count(text);

    private static string List(IReadOnlyList<string> items, int max)
    {
        var take = items.Take(max).ToList();
        return take.Count switch
        {
            1 => take[0],
            _ => string.Join(", ", take.Take(take.Count - 1)) + " and " + take[^1],
        };
    }

    private static string? Clean(string? s)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return null;
        }

        // Line breaks inside a value would break the greeting line and the sentence splitter.
        return WhitespaceRegex().Replace(s.Trim(), " ");
    }

    private static List<string> Distinct(IReadOnlyList<string>? items) =>
        items is null ? [] : [.. items.Select(Clean).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)];

    private static string? FirstSentence(string? summary)
    {
        if (summary is null)
        {
            return null;
        }

        var m = SentenceEndRegex().Match(summary);
        var sentence = m.Success ? summary[..(m.Index + 1)] : summary;
        sentence = sentence.Trim();
        if (!sentence.EndsWith('.') && !sentence.EndsWith('!') && !sentence.EndsWith('?'))
        {
            sentence += ".";
        }

        return sentence;
    }

    /// <summary>The sentence when it has at most <paramref name="words"/> words; else its first words and "..." (ASCII,
    /// so an SMS stays GSM-7).</summary>
    private static string Excerpt(string sentence, int words)
    {
        var matches = WordRegex().Matches(sentence);
        return matches.Count <= words ? sentence : sentence[..(matches[words - 1].Index + matches[words - 1].Length)] + "...";
    }

    private static bool StartsWithAcronym(string s) => s.Length > 1 && char.IsUpper(s[0]) && char.IsUpper(s[1]);

    private static readonly HashSet<string> CtaVerbs = new(StringComparer.Ordinal)
    {
        "book", "schedule", "set", "get", "have", "hop", "jump", "grab", "arrange", "see", "explore", "discuss", "share", "start",
        "try", "learn", "meet", "talk", "chat", "connect", "join", "review", "walk", "show", "compare", "plan", "find", "take",
    };

    [GeneratedRegex(@"[\p{L}\p{N}](?:[\p{L}\p{N}'’&-]*[\p{L}\p{N}])?", RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRegex();

    /// <summary>"Senior VP of Sales", "Head of Operations", "Director, Marketing", "Chief Marketing Officer".</summary>
    [GeneratedRegex(@"^(?:(?:senior|sr\.?|global|regional|group|interim|acting|associate|assistant|deputy|executive)\s+)*(?:head|vp|svp|evp|vice\s+president|director|manager|leader|lead|chief)\b\s*(?:,|of\s+|for\s+)?\s*(?<f>[\p{L}&/ -]+?)(?:\s+officer)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SeniorityFirstRegex();

    /// <summary>"Marketing Manager", "Sales Lead", "Senior Procurement Director".</summary>
    [GeneratedRegex(@"^(?:(?:senior|sr\.?|global|regional|group|interim|acting|associate|assistant|deputy)\s+)*(?<f>[\p{L}&/ -]+?)\s+(?:manager|leader|lead|director|head|coordinator|specialist|team\s+lead)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FunctionFirstRegex();

    [GeneratedRegex(@"\s*(?:&|/|\band\b)\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FunctionJoinRegex();

    [GeneratedRegex(@"[.!?](?=\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEndRegex();
}
