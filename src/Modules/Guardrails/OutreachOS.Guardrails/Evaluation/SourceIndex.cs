using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>
/// Everything the message may legitimately draw from (source texts, lead name and company, the goal), indexed
/// once per evaluation so every check answers "is this in the input?" cheaply.
/// </summary>
internal sealed class SourceIndex
{
    // Figures are kept by kind: "12 SDRs" does not source "12%", nor does a "15-min" goal source "15% lift".
    private readonly Figures _counts = new();
    private readonly Figures _percents = new();
    private readonly Figures _amounts = new();
    private readonly HashSet<decimal> _years = [];
    private readonly HashSet<decimal> _times = [];
    private readonly HashSet<string> _dateKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _words = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _stems = new(StringComparer.Ordinal);
    private readonly List<string> _phones = [];
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _contextKeywords = new(StringComparer.Ordinal);
    private readonly HashSet<decimal> _multipliers = [];
    private readonly Lazy<HashSet<string>> _customers;
    private readonly Lazy<bool> _hasFeedback;

    private readonly string[] _sourceTexts;
    private readonly string[]? _trustedTexts;
    private readonly Lazy<SourceIndex> _trusted;
    private readonly string? _firstName;
    private readonly string? _company;
    private readonly string? _goal;

    public SourceIndex(GuardrailInput input)
    {
        _sourceTexts = [.. input.SourceTexts];
        _trustedTexts = input.TrustedSourceTexts is { } trusted ? [.. trusted] : null;
        _trusted = _trustedTexts is null
            ? new(() => this)
            : new(() => new SourceIndex(new GuardrailInput
            {
                Channel = input.Channel,
                Message = string.Empty,
                Goal = input.Goal,
                SourceTexts = _trustedTexts,
            }));
        _firstName = input.LeadFirstName;
        _company = input.LeadCompany;
        _goal = input.Goal;
        var pieces = new List<string>(input.SourceTexts.Count + 3);
        pieces.AddRange(input.SourceTexts.Where(s => !string.IsNullOrWhiteSpace(s)));
        HasContext = pieces.Count > 0;
        AddIfPresent(pieces, input.LeadFirstName);
        AddIfPresent(pieces, input.LeadCompany);
        AddIfPresent(pieces, input.Goal);

        // A line break between pieces keeps phrase matches from spanning two unrelated fields.
        var all = TextNormalizer.Normalize(string.Join('\n', pieces));
        Lower = all.ToLowerInvariant();
        Folded = FoldedText.Create(all);
        _customers = new(() => FoldedCustomerNames(all)); // built only when a message names customers
        // Read only when a message reports unnamed feedback; a cue never spans a line, so the whole text is searched once.
        _hasFeedback = new(() => TestimonialCues.Any(cue => Lower.Contains(cue, StringComparison.Ordinal)));

        foreach (var word in Lexicon.Tokenize(all))
        {
            _words.Add(word.Text);
            _stems.Add(Lexicon.Stem(word.Text));
        }

        IndexContextKeywords(input);

        var contacts = ContactFinder.Extract(all);
        foreach (var c in contacts)
        {
            switch (c.Kind)
            {
                case ContactKind.Phone:
                    _phones.Add(c.Normalized);
                    break;
                case ContactKind.Email:
                    _addresses.Add(c.Normalized);
                    _hosts.Add(ContactFinder.Host(c.Normalized));
                    break;
                default:
                    _links.Add(c.Normalized);
                    _hosts.Add(ContactFinder.Host(c.Normalized));
                    break;
            }
        }

        foreach (Match m in ClaimPatterns.SourceMultiplierRegex().Matches(all))
        {
            if (ClaimPatterns.MultiplierValue(m) is { } factor)
            {
                _multipliers.Add(factor);
            }
        }

        var masked = contacts.Select(c => (c.Start, c.Length)).ToList();
        foreach (var mention in Quantities.Extract(all, masked, allSpelledNumbers: true))
        {
            switch (mention.Kind)
            {
                case MentionKind.Date or MentionKind.Quarter:
                    foreach (var key in Quantities.DateKeys(mention))
                    {
                        _dateKeys.Add(key);
                    }

                    if (mention.Year is { } year)
                    {
                        _years.Add(year);
                    }

                    break;
                case MentionKind.Time:
                    _times.Add(mention.Value);
                    break;
                case MentionKind.Year:
                    _years.Add(mention.Value);
                    if (mention.AlsoCount)
                    {
                        _counts.Add(mention.Value); // "2000 teams" sources "2,000 teams"; "in 2000" does not
                    }

                    break;
                case MentionKind.Percent:
                    _percents.Add(mention.Value);
                    break;
                case MentionKind.Money:
                    _amounts.Add(mention.Value);
                    break;
                default:
                    if (mention.Spelled && mention.Text.Equals("one", StringComparison.OrdinalIgnoreCase)
                        && all.AsSpan(mention.End).TrimStart().StartsWith("of ", StringComparison.OrdinalIgnoreCase))
                    {
                        break; // "one of the busiest brokers" is a pronoun, not the count that sources "number 1" or "1 office"
                    }

                    _counts.Add(mention.Value);
                    break;
            }
        }
    }

    /// <summary>
    /// True when this index was built from equal source fields. The texts are compared by value against a copy
    /// taken at construction, so a caller that mutates its list between evaluations still gets a fresh index; the
    /// comparison is cheap (usually the very same string instances, which compare by reference first).
    /// </summary>
    public bool IsFor(GuardrailInput input) =>
        SameTexts(_sourceTexts, input.SourceTexts)
        && (_trustedTexts is null ? input.TrustedSourceTexts is null : input.TrustedSourceTexts is { } t && SameTexts(_trustedTexts, t))
        && string.Equals(_firstName, input.LeadFirstName, StringComparison.Ordinal)
        && string.Equals(_company, input.LeadCompany, StringComparison.Ordinal)
        && string.Equals(_goal, input.Goal, StringComparison.Ordinal);

    private static bool SameTexts(string[] copy, IReadOnlyList<string> texts)
    {
        if (texts.Count != copy.Length)
        {
            return false;
        }

        for (var i = 0; i < copy.Length; i++)
        {
            if (!string.Equals(copy[i], texts[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The index of the texts the sender vouches for (<see cref="GuardrailInput.TrustedSourceTexts"/> and the goal):
    /// what may source promises, contact details and strong spam phrases. Without that list, this index itself.
    /// </summary>
    public SourceIndex Trusted => _trusted.Value;

    /// <summary>True when the caller supplied at least one non-empty source text.</summary>
    public bool HasContext { get; }

    public string Lower { get; }

    public FoldedText Folded { get; }

    public bool HasWord(string word) => _words.Contains(word);

    public bool HasStem(string stem) => _stems.Contains(stem);

    /// <summary>
    /// Stems of the distinctive words of the source texts (no stopwords, generic business words, digits, or the
    /// lead's name and company): a message that uses one of them gives a reason drawn from the context.
    /// </summary>
    public bool IsContextKeyword(string stem) => _contextKeywords.Contains(stem);

    /// <summary>
    /// Phrase present on word boundaries within one line of the sources, ignoring case, spacing and punctuation. The
    /// folded text drops line breaks, so a hit that spans one ("TV series" + "B corp") is discarded here.
    /// </summary>
    public bool HasPhrase(string phrase) => PhraseHits(phrase).Any();

    /// <summary>
    /// True when the sources present <paramref name="name"/> (or a name it is a word run of: "Goldman" in "Goldman
    /// Sachs") as a customer or partner, in the phrase that names it as one: "Customers include Ramp" sources Ramp,
    /// "We integrate with Salesforce" on the same line does not source Salesforce.
    /// </summary>
    public bool HasCustomer(string name)
    {
        var folded = FoldedText.Fold(name);
        return folded.Length > 0 && _customers.Value.Contains(folded);
    }

    /// <summary>The folded names presented as customers, with their runs of up to four words ("goldman" for "Goldman Sachs").</summary>
    private static HashSet<string> FoldedCustomerNames(string sources)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in CustomerNames.PresentedIn(sources))
        {
            set.Add(FoldedText.Fold(name));
            var words = Lexicon.Tokenize(name);
            for (var i = 0; i < words.Count; i++)
            {
                for (var j = i; j < words.Count && j < i + 4; j++)
                {
                    set.Add(FoldedText.Fold(name[words[i].Start..words[j].End]));
                }
            }
        }

        return set;
    }

    /// <summary>
    /// True when a line of the sources quotes <paramref name="name"/>: the name on a line with a quoting word ("said",
    /// "says", "quote", "testimonial", "review", "according to"), e.g. "Customer quote: Jane Doe, VP at Flexport: …".
    /// </summary>
    public bool HasTestimonialFrom(string name) => PhraseHits(name).Any(hit =>
    {
        // The hit's line, in the lower-cased sources (same offsets as the text the hits are found in).
        var start = Lower.LastIndexOfAny(LineBreaks, hit.Start) + 1;
        var end = Lower.IndexOfAny(LineBreaks, hit.Start + hit.Length);
        var line = Lower[start..(end < 0 ? Lower.Length : end)];
        return TestimonialCues.Any(cue => line.Contains(cue, StringComparison.Ordinal));
    });

    /// <summary>
    /// True when some line of the sources quotes or reports feedback at all ("Testimonial: …", "Customers told us …",
    /// "G2 review: …"): what sources a testimonial nobody names ("one of our clients told us …").
    /// </summary>
    public bool HasFeedback() => _hasFeedback.Value;

    private static readonly string[] TestimonialCues = ["said", "says", "quote", "testimonial", "review", "according to", "told us", "tell us"];

    /// <summary>True when <paramref name="name"/> is the lead's first name or a word run of the lead's company name.</summary>
    public bool IsLead(string name)
    {
        var folded = FoldedText.Fold(name);
        return folded.Length > 0
            && ((_firstName is not null && FoldedText.Fold(_firstName) == folded)
                || (_company is not null && FoldedText.Create(_company).Contains(folded)));
    }

    /// <summary>
    /// True when a word of the sources starts with <paramref name="fragment"/> (lower case): "fund" is found in
    /// "funding" but not in "refund", "cut" in "cuts" but not in "executive".
    /// </summary>
    public bool HasWordStartingWith(string fragment)
    {
        for (var at = Lower.IndexOf(fragment, StringComparison.Ordinal); at >= 0; at = Lower.IndexOf(fragment, at + 1, StringComparison.Ordinal))
        {
            if (at == 0 || !char.IsLetterOrDigit(Lower[at - 1]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="claim"/> matches the sources within one line (a claim of the same shape).</summary>
    public bool HasMatch(Regex claim) => Matches(claim).Any();

    /// <summary>The matches of <paramref name="claim"/> in the sources that stay within one line.</summary>
    public IEnumerable<string> Matches(Regex claim) =>
        claim.Matches(Folded.Original).Where(m => !m.ValueSpan.ContainsAny(LineBreaks)).Select(m => m.Value);

    /// <summary>
    /// A figure is sourced when a figure of the same kind and value appears in the sources (any notation), or when
    /// a source figure with decimals rounds to it ("39.7%" supports "40%"). A percentage needs a percentage and a
    /// year a year; a bare number and an amount source each other ("2 million" and "$2M"). A year-like number
    /// followed by a noun ("2000 teams") is both a year and a count; "2,000" is only a count.
    /// </summary>
    public bool HasFigure(Mention figure) => figure.Kind switch
    {
        MentionKind.Percent => _percents.Contains(figure.Value),
        MentionKind.Year => _years.Contains(figure.Value) || (figure.AlsoCount && (_counts.Contains(figure.Value) || _amounts.Contains(figure.Value))),
        MentionKind.Money or MentionKind.Number => _amounts.Contains(figure.Value) || _counts.Contains(figure.Value),
        _ => false,
    };

    public bool HasTime(decimal minutes) => _times.Contains(minutes);

    /// <summary>True when the sources state a multiplier of this factor ("3x", "three times", "tripled"; "halved" is 0.5).</summary>
    public bool HasMultiplier(decimal factor) => _multipliers.Contains(factor);

    /// <summary>True when the sources hold a count (or amount) in [<paramref name="min"/>, <paramref name="max"/>): "2,000 reps" sources "thousands of reps".</summary>
    public bool HasCountBetween(decimal min, decimal max) => _counts.AnyBetween(min, max) || _amounts.AnyBetween(min, max);

    public bool HasDate(Mention date) => Quantities.DateKeys(date).Any(_dateKeys.Contains)
        && (date.Year is not { } y || _years.Contains(y));

    public bool HasQuarter(string key) => _dateKeys.Contains(key);

    /// <summary>
    /// Phones compare by digits (with or without a country code); addresses and links compare whole, normalized:
    /// "chen@acme.com" is not sourced by "sarah.chen@acme.com", nor "acme.co" by "acme.com". A link without a path
    /// is also sourced by the host of a source link or address ("acme.com" by "sarah@acme.com").
    /// </summary>
    public bool HasContact(Contact contact) => contact.Kind switch
    {
        ContactKind.Phone => _phones.Any(p => p.EndsWith(contact.Normalized, StringComparison.Ordinal)
                                              || contact.Normalized.EndsWith(p, StringComparison.Ordinal)),
        ContactKind.Url => _links.Contains(contact.Normalized)
                           || (ContactFinder.Host(contact.Normalized) == contact.Normalized && _hosts.Contains(contact.Normalized)),
        _ => _addresses.Contains(contact.Normalized),
    };

    private void IndexContextKeywords(GuardrailInput input)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in (string?[])[input.LeadFirstName, input.LeadCompany])
        {
            foreach (var w in Lexicon.Tokenize(value ?? string.Empty))
            {
                excluded.Add(Lexicon.Stem(w.Text));
            }
        }

        foreach (var source in input.SourceTexts)
        {
            foreach (var w in Lexicon.Tokenize(source ?? string.Empty))
            {
                var lower = w.Text.ToLowerInvariant();
                var stem = Lexicon.Stem(lower);
                if (lower.Length >= 3 && !Lexicon.IsGeneric(lower) && !Lexicon.IsGeneric(stem) && !excluded.Contains(stem)
                    && !lower.All(char.IsDigit))
                {
                    _contextKeywords.Add(stem);
                }
            }
        }
    }

    private static readonly char[] LineBreaks = ['\n', '\r'];

    /// <summary>Original-text ranges of <see cref="HasPhrase"/> hits (offsets into <c>Folded.Original</c>).</summary>
    private IEnumerable<(int Start, int Length)> PhraseHits(string phrase) =>
        Folded.FindAll(FoldedText.Fold(phrase)).Where(h => !Folded.Original.AsSpan(h.Start, h.Length).ContainsAny(LineBreaks));

    /// <summary>Source figures of one kind; one with decimals also supports its rounded value.</summary>
    private sealed class Figures
    {
        private readonly HashSet<decimal> _exact = [];
        private readonly HashSet<decimal> _rounded = [];

        public void Add(decimal value)
        {
            _exact.Add(value);
            if (decimal.Truncate(value) != value)
            {
                _rounded.Add(decimal.Round(value, MidpointRounding.AwayFromZero));
            }
        }

        public bool Contains(decimal value) => _exact.Contains(value) || _rounded.Contains(value);

        public bool AnyBetween(decimal min, decimal max) => _exact.Any(v => v >= min && v < max);
    }

    private static void AddIfPresent(List<string> pieces, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            pieces.Add(value);
        }
    }
}
