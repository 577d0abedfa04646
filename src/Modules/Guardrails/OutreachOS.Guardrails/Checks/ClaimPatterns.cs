using System.Buffers;
using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// A kind of factual claim recognised by a trigger pattern. The claim is traceable when the matched words occur in
/// the sources ("Series B" needs "Series B" when there is no other evidence), when a source word starts with one
/// of the <see cref="Evidence"/> fragments ("fund" in "funding", not in "refund"), or when the sources make a claim
/// of the shape <see cref="EvidenceClaim"/> ("acquired by Flexport", not "customer acquisition cost").
/// </summary>
internal sealed record ClaimPattern(
    string Code, RiskSeverity Severity, string What, Anchors Anchors, Regex Trigger, string[] Evidence, Regex? EvidenceClaim = null);

/// <summary>
/// Literal fragments, one of which every match of a regex contains. Checking them with a vectorized multi-string
/// search first lets the common case (no such claim in the message) skip the regex entirely.
/// </summary>
internal sealed class Anchors(params string[] fragments)
{
    private readonly SearchValues<string> _values = SearchValues.Create(fragments, StringComparison.OrdinalIgnoreCase);

    public bool MayMatch(string text) => text.AsSpan().ContainsAny(_values);
}

/// <summary>Verbs need a quantity in their sentence; a multiplier is its own quantity; ROI alone is only a warning.</summary>
internal enum MetricKind
{
    Verb,
    Multiplier,
    Roi,
}

internal static partial class ClaimPatterns
{
    public static readonly ClaimPattern[] All =
    [
        new(RiskCodes.UnsourcedFunding, RiskSeverity.Block, "funding claim", new("seed", "series"), SeriesRegex(), []),
        new(RiskCodes.UnsourcedFunding, RiskSeverity.Block, "funding claim", new("rais", "fund", "just closed"), RaisedRegex(),
            ["rais", "funding", "funded", "fundrais", "series", "seed", "investor", "investment", "invested", "round"]),
        new(RiskCodes.UnsourcedFunding, RiskSeverity.Block, "funding claim", new("backed", "investor"), BackedRegex(),
            ["backed", "investor", "investment", "invested", "funding", "funded"]),
        new(RiskCodes.UnsourcedFunding, RiskSeverity.Block, "acquisition or IPO claim", new("acqui", "ipo", "public", "merge"), ExitRegex(),
            ["ipo", "went public", "merger", "merged"], ExitRegex()),
        new(RiskCodes.UnsourcedAward, RiskSeverity.Block, "award claim", new("award", "winner", "recogni", "named", "featured"), AwardRegex(),
            ["award", "winner", "finalist"], AwardRegex()),
        new(RiskCodes.UnsourcedRanking, RiskSeverity.Block, "ranking or leadership claim",
            new("#", "no", "number", "only", "lead", "top", "best", "world", "fastest", "largest", "biggest", "ranked"), RankingRegex(), []),
    ];

    /// <summary>Metric verbs: a claim only when a quantity sits in the same sentence.</summary>
    public static readonly (Anchors Anchors, Regex Verb, string[] Evidence, MetricKind Kind)[] MetricVerbs =
    [
        (new("grew", "grow"), GrowRegex(), ["grew", "grow"], MetricKind.Verb),
        (new("increas", "boost", "lift"), IncreaseRegex(), ["increas", "boost", "lift", "rais"], MetricKind.Verb),
        (new("reduc", "cut", "lower", "decreas"), ReduceRegex(), ["reduc", "cut", "lower", "decreas"], MetricKind.Verb),
        (new("sav"), SaveRegex(), ["sav"], MetricKind.Verb),
        (new("improv"), ImproveRegex(), ["improv"], MetricKind.Verb),
        (new("doubl", "tripl", "quadrupl", "twice", "0x", "1x", "2x", "3x", "4x", "5x", "6x", "7x", "8x", "9x"), MultiplyRegex(), ["doubl", "tripl", "quadrupl", "twice", "three times", "3x", "2x"],
            MetricKind.Multiplier),
        (new("roi", "return on", "payback"), RoiRegex(), ["roi", "return on investment", "payback"], MetricKind.Roi),
    ];

    /// <summary>Every <see cref="MultiplierClaimRegex"/> match contains one of these.</summary>
    public static readonly Anchors MultiplierAnchors = new("times", "fold", "half", "halv");

    /// <summary>
    /// Multiplier claims whose value is read off the words: "12 times faster", "15 times more meetings", "a tenfold
    /// lift", "10-fold", "cut ramp time in half", "halves ramp time". The value (see <see cref="MultiplierValue"/>)
    /// must be a multiplier of the sources ("12 SDRs" does not source "12 times faster"). "Three times a week", "in
    /// half an hour" are not claims.
    /// </summary>
    [GeneratedRegex("""
        \b(?:
          (?<n>[0-9]+(?:\.[0-9]+)?|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|thousand)[\s-]?fold\b
         |(?<n>[0-9]+(?:\.[0-9]+)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty|hundred)\s+times\s+
            (?:more|less|fewer|faster|quicker|higher|better|bigger|larger|greater|cheaper|lower|smaller|shorter|longer|stronger|easier|likelier|the|as\s+(?:many|much|fast|quickly|likely|often))\b
         |(?<half>(?:in|by)\s+half\b(?!\s+(?:an?|the)\b)|halv(?:e|es|ed|ing)\b)
        )
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex MultiplierClaimRegex();

    /// <summary>
    /// Multipliers a source states, of any shape: "3x", "12 times", "tenfold", "doubled", "twice", "tripled",
    /// "halved", "in half". A plain count ("12 SDRs") is not one.
    /// </summary>
    [GeneratedRegex("""
        \b(?:
          (?<n>[0-9]+(?:\.[0-9]+)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty|hundred|thousand)(?:[\s-]?fold|\s+times|x)\b
         |(?<two>doubl(?:e|ed|es|ing)|twice)\b
         |(?<three>tripl(?:e|ed|es|ing))\b
         |(?<four>quadrupl(?:e|ed|es|ing))\b
         |(?<half>(?:in|by)\s+half|halv(?:e|es|ed|ing))\b
        )
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex SourceMultiplierRegex();

    /// <summary>The factor a <see cref="MultiplierClaimRegex"/> or <see cref="SourceMultiplierRegex"/> match states.</summary>
    public static decimal? MultiplierValue(Match m)
    {
        if (m.Groups["half"].Success)
        {
            return 0.5m;
        }

        if (m.Groups["two"].Success)
        {
            return 2m;
        }

        if (m.Groups["three"].Success)
        {
            return 3m;
        }

        if (m.Groups["four"].Success)
        {
            return 4m;
        }

        var n = m.Groups["n"].Value;
        if (decimal.TryParse(n, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        return n.ToLowerInvariant() switch
        {
            "two" => 2, "three" => 3, "four" => 4, "five" => 5, "six" => 6, "seven" => 7, "eight" => 8, "nine" => 9,
            "ten" => 10, "eleven" => 11, "twelve" => 12, "fifteen" => 15, "twenty" => 20, "fifty" => 50,
            "hundred" => 100, "thousand" => 1000, _ => null,
        };
    }

    /// <summary>Every <see cref="MagnitudeCountRegex"/> match contains one of these.</summary>
    public static readonly Anchors MagnitudeAnchors = new("hundreds", "thousands", "millions");

    /// <summary>
    /// A count given as an order of magnitude: "thousands of reps", "hundreds of brokers", "tens of thousands of
    /// teams". Sourced by the same words or by a count of that magnitude in the sources ("2,000 reps").
    /// </summary>
    [GeneratedRegex(@"\b(?:tens\s+of\s+)?(?<mag>hundreds|thousands|millions)\s+of\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex MagnitudeCountRegex();

    /// <summary>Every customer trigger contains one of these.</summary>
    public static readonly Anchors CustomerAnchors =
        new("like", "such as", "including", "trusted", "used by", "loved", "relied", "chosen", "with", "helped", "power", "our ", "my ");

    [GeneratedRegex(@"\b(?:pre-?seed|seed|series\s+[a-f])(?:\s+(?:round|funding|raise))?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SeriesRegex();

    [GeneratedRegex(@"\b(?:raised|raising|fundraise|fundraising|funding round|new funding|fresh funding|recent funding|just closed)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RaisedRegex();

    [GeneratedRegex(@"\b(?:backed by|investors? like|vc-backed)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BackedRegex();

    /// <summary>
    /// Acquisitions need a claim shape: "acquired by Flexport", "acquired Convoy", "being acquired", "the acquisition"
    /// or "acquisition of Convoy", but not "customer acquisition cost" or "the acquisition of new carriers".
    /// </summary>
    [GeneratedRegex("""
        \b(?:
          (?:acquired|bought)\s+by(?=\s+(?:the\s+)?(?-i:\p{Lu}))
         |acquired(?=\s+(?-i:\p{Lu}))
         |(?:being|been|was|got|getting|just|recently)\s+acquired
         |acquisition\s+(?:of|by)(?=\s+(?:the\s+)?(?-i:\p{Lu}))
         |(?:the|your|their|its|recent)\s+(?:recent\s+)?acquisition(?!\s+(?:of|costs?|channels?|strateg(?:y|ies)|funnel|rates?|teams?|process|motion|engine|spend|budget|metrics?|efforts?|targets?|goals?)\b)
         |ipo|went\s+public|going\s+public|merger\s+with|merged\s+with
        )\b
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex ExitRegex();

    [GeneratedRegex(@"\b(?:award-winning|award(?:s|ed)?|winner of|recogni[sz]ed (?:by|as)|named (?:one of|a leader|the best)|featured in)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwardRegex();

    [GeneratedRegex(@"(?:#\s?\d{1,3}\b|\bno\.?\s?1\b(?![.,:/-]?[0-9])|\bnumber\s+(?:one|1)\b(?![.,:/-]?[0-9])|\b(?:industry|market|category|world|global)[- ]lead(?:ing|ers?)\b|\bclear leader\b|\bthe leader in\b|\bleading\s+(?:provider|platform|solution|company|vendor|tool|brand|software|player|expert|agency)s?\b|\btop[- ](?:\d+|ten|five|three|rated|ranked)\b|\bbest[- ]in[- ]class\b|\bworld[- ]class\b|\bfastest[- ]growing\b|\bthe (?:largest|biggest)\b|\branked\b|\bthe\s+only\s+(?:platform|tool|solution|company|vendor|product|software|provider|app|crm)s?\b|\blead(?:s|ing)?\s+the\s+(?:market|industry|category|pack|space|field)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RankingRegex();

    [GeneratedRegex(@"\b(?:grew|grow(?:s|n|ing)?|growth)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GrowRegex();

    [GeneratedRegex(@"\b(?:increase[sd]?|increasing|boost(?:ed|s|ing)?|lift(?:ed|s)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IncreaseRegex();

    [GeneratedRegex(@"\b(?:reduc(?:e|ed|es|ing|tion)|cut(?:s|ting)?|lower(?:ed)?|decrease[sd]?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReduceRegex();

    [GeneratedRegex(@"\b(?:sav(?:e|ed|es|ing|ings))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SaveRegex();

    [GeneratedRegex(@"\b(?:improv(?:e|ed|es|ing|ement))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImproveRegex();

    [GeneratedRegex(@"\b(?:doubl(?:e|ed|es|ing)|tripl(?:e|ed|es|ing)|quadrupl(?:e|ed|es|ing)|twice|\d+(?:\.\d+)?x)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MultiplyRegex();

    [GeneratedRegex(@"\b(?:roi|return on investment|payback)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoiRegex();

    /// <summary>Phrases that introduce named customers or partners.</summary>
    [GeneratedRegex(@"\b(?:(?:our|my)\s+(?:customers|clients|users|partners|logos)\s+(?:include|includes|included|including|are|were|like|such as)|(?:customers|clients|companies|brands|teams|organi[sz]ations|leaders|names|logos)\s+(?:like|such as|including)|trusted by|used by|loved by|relied (?:up)?on by|chosen by|(?:we|i)\s+(?:already\s+|also\s+|currently\s+|now\s+)?work with|working with|worked with|partnered with|partners? with|helped|powering|powers)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex CustomerTrigger();

    /// <summary>Every <see cref="RelianceAfterNames"/> and <see cref="CustomerNounAfterNames"/> match contains one of these.</summary>
    public static readonly Anchors RelianceAnchors = new(" on us", " on our", " us", " our", "customer", "client", "partner");

    /// <summary>Every <see cref="RelianceOnProductAfterNames"/> match contains one of these.</summary>
    public static readonly Anchors ProductRelianceAnchors = new(" use", " rel", " depend", " run", " switch", " move", " migrat", " trust", " love", " chose", " pick", " select");

    /// <summary>
    /// A message's customer claim that names the product rather than "us": "[Stripe, Ramp and Brex] use Outreachly",
    /// "[reps at Brex] rely on Outreachly". The input does not say which capitalized word is the sender's product, so
    /// any capitalized object counts; the names before the verb (found by <see cref="CustomerNames.ListBefore"/>) are
    /// then customers of someone, which the sources must say. Read in the message only: in a source, "Acme uses
    /// HubSpot" is the lead's tech stack, not a list of the sender's customers.
    /// </summary>
    [GeneratedRegex("""
        (?<=[\p{L}\p{N}'’.&-])\s+(?:(?<aux>is|are|was|were|has|have|had)\s+(?:been\s+)?)?(?:all\s+|both\s+|already\s+|also\s+|now\s+)?
        (?<verb>(?:rely|relies|relied|depend|depends|depended|run|runs|ran)\s+on
          |(?:switched|moved|migrated)\s+(?:over\s+)?to
          |use|uses|used|trust|trusts|trusted|love|loves|loved|chose|picked|selected)
        \s+(?-i:\p{Lu})[\p{L}\p{N}]+\b
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex RelianceOnProductAfterNames();

    /// <summary>
    /// The claim after a list of names (found by <see cref="CustomerNames.ListBefore"/>): "[Ramp and Gong] rely on us",
    /// "[teams at Stripe] use our drafts", "[Stripe] runs on our platform", "[Notion] switched to us". The verb (and an
    /// auxiliary "is"/"are") is captured so that a lone capitalized word opening a sentence can be judged by
    /// agreement: "Stripe relies on us" names one company, "Recruiters rely on us" does not. The match starts at the
    /// whitespace right after a word, so no part of the text is scanned twice.
    /// </summary>
    [GeneratedRegex("""
        (?<=[\p{L}\p{N}'’.&-])\s+(?:(?<aux>is|are|was|were|has|have|had)\s+(?:been\s+)?)?(?:all\s+|both\s+|already\s+|also\s+|now\s+)?
        (?<verb>(?:rely|relies|relied|relying|depend|depends|depended|depending|count|counts|counted|counting|run|runs|ran|running|build|builds|built|building)\s+on
          |(?:switch|switches|switched|switching|move|moves|moved|moving|migrate|migrates|migrated|migrating)\s+(?:over\s+)?to
          |(?:partner|partners|partnered|partnering|sign|signs|signed|signing)\s+(?:up\s+)?with
          |use|uses|used|using|trust|trusts|trusted|trusting|choose|chooses|chose|chosen|choosing|pick|picks|picked|select|selects|selected
          |love|loves|loved|prefer|prefers|preferred)
        \s+(?:us|our)\b
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex RelianceAfterNames();

    /// <summary>
    /// A customer or partner noun after a list of names: "[Ramp] is a customer", "[Ramp and Gong] are both customers
    /// of ours", "[Stripe] has been a client since 2021". An apposition ("Gong, a partner") is not read: "In Chicago,
    /// a customer told me" would make Chicago one.
    /// </summary>
    [GeneratedRegex("""
        (?<=[\p{L}\p{N}'’.&-])\s+(?<aux>is|are|was|were|became|become|has\s+been|have\s+been)\s+(?:(?:also|both|all|now|already|still|long-?time|happy|paying|existing|early|design|reference|anchor|key|big|one\s+of|among|an?|our|my)\s+)*
        (?:(?:customers?|clients?|partners?)\b|(?:our|my)\s+(?:\p{L}+\s+)?(?:customers?|clients?|partners?|users)\b)
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex CustomerNounAfterNames();

    /// <summary>Every <see cref="CustomerCueBeforeNames"/>, <see cref="RelianceAfterNames"/> or <see cref="CustomerNounAfterNames"/> match in a source contains one of these.</summary>
    public static readonly Anchors SourceCustomerAnchors = new(
        "customer", "client", "partner", "logo", "case stud", "testimonial", "reference", "users", " by ", "with", "helped", "power", " us", " our");

    /// <summary>
    /// A cue in a source after which a list of names are customers or partners: "Customers include", "Customer
    /// logos:", "Case study:", "our customer", "clients such as", "trusted by", "we work with", "helped".
    /// </summary>
    [GeneratedRegex("""
        \b(?:
           (?:customers?|clients?|partners?|logos?|case\s+stud(?:y|ies)|testimonials?|references?|users)
           (?:\s+(?:logos?|list|stories|story|wins?|includes?|included|including|like|such\s+as|are|is|was|were|from|e\.g\.?|incl\.?))*
           (?:\s*[:–—-]\s*|\s+)
          |(?:companies|brands|teams|organi[sz]ations|leaders|names)\s+(?:like|such\s+as|including)\s+
          |(?:trusted|used|loved|chosen)\s+by\s+
          |relied\s+(?:up)?on\s+by\s+
          |(?:works?|worked|working)\s+with\s+
          |partner(?:s|ed|ing)?\s+with\s+
          |(?:helped|helps|helping|powering|powers)\s+
        )
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    public static partial Regex CustomerCueBeforeNames();

    /// <summary>A capitalized name of one or more words, e.g. "Goldman Sachs" or "Procter & Gamble".</summary>
    [GeneratedRegex(@"\G(?:the\s+)?(?<name>[\p{Lu}\d][\p{L}\p{N}'’.-]*(?:\s+(?:&\s+|of\s+)?[\p{Lu}\d][\p{L}\p{N}'’.-]*)*)", RegexOptions.CultureInvariant)]
    public static partial Regex CapitalizedName();

    /// <summary>Separators inside a list of names: ", ", " and ", " & ", " or ".</summary>
    [GeneratedRegex(@"\G(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)", RegexOptions.CultureInvariant)]
    public static partial Regex NameSeparator();
}
