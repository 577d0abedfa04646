using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>
/// Everything the message may legitimately draw from (source texts, lead name and company, the goal), indexed
/// once per evaluation so every check answers "is this in the input?" cheaply.
/// </summary>
internal sealed class SourceIndex
{
    private readonly HashSet<decimal> _values = [];
    private readonly HashSet<decimal> _roundedValues = [];
    private readonly HashSet<decimal> _times = [];
    private readonly HashSet<string> _dateKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _words = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _stems = new(StringComparer.Ordinal);
    private readonly List<string> _phones = [];
    private readonly HashSet<string> _contextKeywords = new(StringComparer.Ordinal);

    private readonly string[] _sourceTexts;
    private readonly string? _firstName;
    private readonly string? _company;
    private readonly string? _goal;

    public SourceIndex(GuardrailInput input)
    {
        _sourceTexts = [.. input.SourceTexts];
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

        foreach (var word in Lexicon.Tokenize(all))
        {
            _words.Add(word.Text);
            _stems.Add(Lexicon.Stem(word.Text));
        }

        IndexContextKeywords(input);

        var contacts = ContactFinder.Extract(all);
        foreach (var c in contacts.Where(c => c.Kind == ContactKind.Phone))
        {
            _phones.Add(c.Normalized);
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
                        _values.Add(year);
                    }

                    break;
                case MentionKind.Time:
                    _times.Add(mention.Value);
                    break;
                default:
                    AddValue(mention.Value);
                    AddValue(mention.Mantissa);
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
        SameTexts(input.SourceTexts)
        && string.Equals(_firstName, input.LeadFirstName, StringComparison.Ordinal)
        && string.Equals(_company, input.LeadCompany, StringComparison.Ordinal)
        && string.Equals(_goal, input.Goal, StringComparison.Ordinal);

    private bool SameTexts(IReadOnlyList<string> texts)
    {
        if (texts.Count != _sourceTexts.Length)
        {
            return false;
        }

        for (var i = 0; i < _sourceTexts.Length; i++)
        {
            if (!string.Equals(_sourceTexts[i], texts[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

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

    /// <summary>Phrase present on word boundaries, ignoring case, spacing and punctuation.</summary>
    public bool HasPhrase(string phrase) => Folded.Contains(FoldedText.Fold(phrase));

    /// <summary>
    /// A value is sourced when the same value appears in the sources (any notation), or when a source figure with
    /// decimals rounds to it ("39.7%" supports "40%").
    /// </summary>
    public bool HasValue(decimal value) => _values.Contains(value) || _roundedValues.Contains(value);

    public bool HasTime(decimal minutes) => _times.Contains(minutes);

    public bool HasDate(Mention date) => Quantities.DateKeys(date).Any(_dateKeys.Contains)
        && (date.Year is not { } y || _values.Contains(y));

    public bool HasQuarter(string key) => _dateKeys.Contains(key);

    public bool HasContact(Contact contact) => contact.Kind switch
    {
        ContactKind.Phone => _phones.Any(p => p.EndsWith(contact.Normalized, StringComparison.Ordinal)
                                              || contact.Normalized.EndsWith(p, StringComparison.Ordinal)),
        ContactKind.Url => Lower.Contains(contact.Normalized, StringComparison.Ordinal),
        _ => Lower.Contains(contact.Normalized, StringComparison.Ordinal),
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

    private void AddValue(decimal value)
    {
        _values.Add(value);
        if (decimal.Truncate(value) != value)
        {
            _roundedValues.Add(decimal.Round(value, MidpointRounding.AwayFromZero));
        }
    }

    private static void AddIfPresent(List<string> pieces, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            pieces.Add(value);
        }
    }
}
