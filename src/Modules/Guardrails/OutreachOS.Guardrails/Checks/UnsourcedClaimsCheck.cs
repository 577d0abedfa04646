using System.Collections.Frozen;
using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Hallucination guard: every number, percentage, amount, year, date and time, every named customer and every
/// funding, award, ranking or metric claim must be traceable to the input. Unknown capitalized names are warned.
/// </summary>
internal sealed class UnsourcedClaimsCheck : IGuardrailCheck
{
    public string Name => "unsourced-claims";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        var sources = context.Sources;
        foreach (var part in context.Parts)
        {
            var claimed = new List<(int Start, int Length)>();
            CheckClaimPatterns(part, sources, flags, claimed);
            CheckCustomers(part, sources, flags, claimed);
            CheckTestimonials(part, sources, flags, claimed);
            CheckUnnamedTestimonials(part, sources, flags, claimed);
            CheckMultipliers(part, sources, flags, claimed);
            CheckMentions(part, sources, flags, claimed);
            CheckMetricVerbs(part, sources, flags, claimed);
            CheckProperNames(part, sources, flags, claimed);
        }
    }

    private static void CheckMentions(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        foreach (var m in part.Mentions)
        {
            if (Overlaps(claimed, m.Start, m.Length))
            {
                continue; // already reported as a ranking/funding claim with the same words
            }

            var (sourced, code, severity, what) = m.Kind switch
            {
                MentionKind.Date => (sources.HasDate(m), RiskCodes.UnsourcedDate, RiskSeverity.Block, "date"),
                MentionKind.Quarter => (sources.HasQuarter(m.Key!), RiskCodes.UnsourcedDate, RiskSeverity.Block, "period"),
                MentionKind.Time => (sources.HasTime(m.Value), RiskCodes.UnsourcedTime, RiskSeverity.Warn, "time"),
                MentionKind.Percent => (sources.HasFigure(m), RiskCodes.UnsourcedPercent, RiskSeverity.Block, "percentage"),
                MentionKind.Money => (sources.HasFigure(m), RiskCodes.UnsourcedMoney, RiskSeverity.Block, "amount"),
                MentionKind.Year => (sources.HasFigure(m), RiskCodes.UnsourcedYear, RiskSeverity.Block, "year"),
                _ => (sources.HasFigure(m), RiskCodes.UnsourcedNumber, RiskSeverity.Block, "number"),
            };
            if (sourced)
            {
                ReportIfMisattributed(part, sources, flags, claimed, m, what);
                continue;
            }

            var detail = m.Kind is MentionKind.Date or MentionKind.Quarter or MentionKind.Time
                ? $"The {what} \"{m.Text}\" does not appear in the provided context."
                : $"The {what} \"{m.Text}\" (value {m.Value:0.##}) does not appear in the provided context in any notation.";
            Flag(part, flags, claimed, code, severity, detail, m.Start, m.Length);
        }
    }

    /// <summary>
    /// A figure found only in untrusted context (the lead's summary, signals) and presented as the sender's own result:
    /// "we cut onboarding by 40%" when only "Acme grew 40%" is in the input. Counts written in words are left alone.
    /// </summary>
    private static void ReportIfMisattributed(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed,
        Mention m, string what)
    {
        if (m.Kind is not (MentionKind.Percent or MentionKind.Money or MentionKind.Year or MentionKind.Number)
            || (m.Kind == MentionKind.Number && !m.Text.Any(char.IsAsciiDigit))
            || !IsUntrustedOnly(sources, s => s.HasFigure(m))
            || !SenderAttribution.IsSenderClaim(part, m.Start, m.Length, sources))
        {
            return;
        }

        ReportMisattributed(part, flags, claimed, m.Start, m.Length, $"{what} \"{m.Text}\"");
    }

    /// <summary>Reports a finding on [start, start + length) of the part and marks the span claimed, so later checks skip it.</summary>
    private static void Flag(MessageText part, List<RiskFlag> flags, List<(int Start, int Length)> claimed, string code, RiskSeverity severity,
        string detail, int start, int length)
    {
        flags.Add(new RiskFlag(code, severity, detail, part.Span(start, length)));
        claimed.Add((start, length));
    }

    /// <summary>True when the caller separated trusted texts from the lead's context and only the latter has it.</summary>
    private static bool IsUntrustedOnly(SourceIndex sources, Func<SourceIndex, bool> has) =>
        !ReferenceEquals(sources.Trusted, sources) && !has(sources.Trusted);

    private static void ReportMisattributed(MessageText part, List<RiskFlag> flags, List<(int Start, int Length)> claimed, int start, int length, string what)
    {
        Flag(part, flags, claimed, RiskCodes.MisattributedClaim, RiskSeverity.Block,
            $"The {what} is presented as the sender's own result, but the provided context gives it only about the lead or a third party.",
            start, length);
    }

    /// <summary>
    /// Multipliers read off words ("12 times faster", "tenfold", "in half") need a source multiplier of the same factor;
    /// orders of magnitude ("thousands of reps") need the same words or a source count of that magnitude.
    /// </summary>
    private static void CheckMultipliers(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        if (ClaimPatterns.MultiplierAnchors.MayMatch(part.Normalized))
        {
            foreach (Match m in ClaimPatterns.MultiplierClaimRegex().Matches(part.Normalized))
            {
                if (Overlaps(claimed, m.Index, m.Length))
                {
                    continue;
                }

                var factor = ClaimPatterns.MultiplierValue(m);
                if (sources.HasPhrase(m.Value) || (factor is { } f && sources.HasMultiplier(f)))
                {
                    if (IsUntrustedOnly(sources, s => s.HasPhrase(m.Value) || (factor is { } g && s.HasMultiplier(g)))
                        && SenderAttribution.IsSenderClaim(part, m.Index, m.Length, sources))
                    {
                        ReportMisattributed(part, flags, claimed, m.Index, m.Length, $"multiplier \"{m.Value}\"");
                    }

                    continue;
                }

                Flag(part, flags, claimed, RiskCodes.UnsourcedMetric, RiskSeverity.Block,
                    $"The multiplier claim \"{m.Value}\" is not supported by a multiplier in the provided context.",
                    m.Index, m.Length);
            }
        }

        if (ClaimPatterns.MagnitudeAnchors.MayMatch(part.Normalized))
        {
            foreach (Match m in ClaimPatterns.MagnitudeCountRegex().Matches(part.Normalized))
            {
                var mag = m.Groups["mag"].Value.ToLowerInvariant();
                var min = mag switch { "hundreds" => 100m, "thousands" => 1_000m, _ => 1_000_000m };
                if (m.Value.StartsWith("tens", StringComparison.OrdinalIgnoreCase))
                {
                    min *= 10;
                }

                if (Overlaps(claimed, m.Index, m.Length) || sources.HasWord(mag) || sources.HasCountBetween(min, min * 1000))
                {
                    continue;
                }

                Flag(part, flags, claimed, RiskCodes.UnsourcedNumber, RiskSeverity.Block,
                    $"The count \"{m.Value}\" is not supported by a count of that size in the provided context.",
                    m.Index, m.Length);
            }
        }
    }

    private static void CheckClaimPatterns(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        foreach (var pattern in ClaimPatterns.All)
        {
            if (!pattern.Anchors.MayMatch(part.Normalized))
            {
                continue;
            }

            foreach (Match m in pattern.Trigger.Matches(part.Normalized))
            {
                var traceable = sources.HasPhrase(m.Value)
                    || pattern.Evidence.Any(sources.HasWordStartingWith)
                    || (pattern.EvidenceClaim is { } claim && sources.HasMatch(claim));
                if (traceable || Overlaps(claimed, m.Index, m.Length))
                {
                    continue;
                }

                Flag(part, flags, claimed, pattern.Code, pattern.Severity,
                    $"The {pattern.What} \"{m.Value}\" is not supported by the provided context.",
                    m.Index, m.Length);
            }
        }
    }

    private static void CheckCustomers(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        if (ClaimPatterns.CustomerAnchors.MayMatch(part.Normalized))
        {
            foreach (Match trigger in ClaimPatterns.CustomerTrigger().Matches(part.Normalized))
            {
                foreach (var name in CustomerNames.ListFrom(part.Normalized, trigger.Index + trigger.Length))
                {
                    ReportCustomer(part, sources, flags, claimed, name, trigger.Value);
                }
            }
        }

        var claims = new List<(Match Claim, int ListStart)>();
        if (ClaimPatterns.RelianceAnchors.MayMatch(part.Normalized))
        {
            claims.AddRange(CustomerNames.ClaimsAfterNames(part.Normalized));
        }

        if (ClaimPatterns.ProductRelianceAnchors.MayMatch(part.Normalized))
        {
            claims.AddRange(CustomerNames.ProductClaimsAfterNames(part.Normalized));
        }

        HashSet<int>? sentenceStarts = null;
        foreach (var (claim, listStart) in claims)
        {
            var names = CustomerNames.ListFrom(part.Normalized, listStart).Select(TrimLeadingStopwords).Where(n => n.Text.Length > 0).ToList();
            if (names is [var only] && !only.Text.Contains(' ', StringComparison.Ordinal)
                && (sentenceStarts ??= SentenceInitialWordStarts(part)).Contains(only.Start)
                && IsCommonSubject(only.Text, GrammaticalNumber(claim)))
            {
                continue; // "Recruiters rely on us", "Everyone relies on us": a common word, capitalized only because it opens the sentence
            }

            foreach (var name in names)
            {
                ReportCustomer(part, sources, flags, claimed, name, claim.Value);
            }
        }
    }

    /// <summary>
    /// A testimonial names who vouches for the sender; the input must present that company or person as a customer or
    /// quote them ("Flexport's sales team said it was the best tool" with no Flexport quote in the input is BLOCK).
    /// </summary>
    private static void CheckTestimonials(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        foreach (var (at, raw, phrase) in Testimonials.Find(part.Normalized))
        {
            var (start, name) = Testimonials.Trim(at, raw);
            if (name.Length == 0 || sources.IsLead(name) || sources.IsLead(name.Split(' ')[0]) || Overlaps(claimed, start, name.Length)
                || sources.HasCustomer(name) || sources.HasTestimonialFrom(name) || sources.HasPhrase(phrase))
            {
                continue;
            }

            Flag(part, flags, claimed, RiskCodes.UnsourcedCustomer, RiskSeverity.Block,
                $"\"{name}\" is quoted as vouching for the sender (\"{Shorten(phrase)}\") but the provided context neither presents it as a customer nor quotes it.",
                start, name.Length);
        }
    }

    /// <summary>
    /// Feedback from customers nobody names ("one of our clients told us it halved their ramp time", "customers tell us
    /// …", "a VP of Sales at a fintech said …") is a testimonial without a source to check: BLOCK unless the texts the
    /// sender vouches for report feedback, or give the phrase. The lead's customers ("your clients tell you") are not
    /// the sender's testimonial.
    /// </summary>
    private static void CheckUnnamedTestimonials(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        foreach (var (start, phrase) in Testimonials.FindUnnamed(part.Normalized))
        {
            // Only the sender's texts source it: the lead's context reporting its own customers' words does not.
            if (Overlaps(claimed, start, phrase.Length) || SenderAttribution.IsOwnedByOthers(part, start) || sources.Trusted.HasPhrase(phrase)
                || sources.Trusted.HasFeedback())
            {
                continue;
            }

            Flag(part, flags, claimed, RiskCodes.UnsourcedCustomer, RiskSeverity.Block,
                $"\"{Shorten(phrase)}\" reports what customers said about the sender, but the provided context gives no such feedback.",
                start, phrase.Length);
        }
    }

    private enum Number
    {
        Unknown,
        Singular,
        Plural,
    }

    /// <summary>The number the verb of a claim agrees with: "relies", "is" → singular; "rely", "are" → plural; "chose" → unknown.</summary>
    private static Number GrammaticalNumber(Match claim)
    {
        var aux = claim.Groups["aux"];
        var word = aux.Success ? aux.Value : claim.Groups["verb"].Value;
        var space = word.AsSpan().IndexOfAny(' ', '\t', '\n');
        return (space < 0 ? word : word[..space]).ToLowerInvariant() switch
        {
            "is" or "was" or "has" or "became" => Number.Singular,
            "are" or "were" or "have" or "become" => Number.Plural,
            "relies" or "depends" or "counts" or "runs" or "builds" or "switches" or "moves" or "migrates" or "partners" or "signs"
                or "uses" or "trusts" or "chooses" or "picks" or "selects" or "loves" or "prefers" => Number.Singular,
            "rely" or "depend" or "count" or "run" or "build" or "switch" or "move" or "migrate" or "partner" or "sign"
                or "use" or "trust" or "choose" or "pick" or "select" or "love" or "prefer" => Number.Plural,
            _ => Number.Unknown,
        };
    }

    /// <summary>
    /// Whether a lone word that opens a sentence before a customer claim is a common word rather than a company:
    /// a stopword, generic word, pronoun or department ("Everyone", "Marketing"), the subject of a plural verb
    /// ("Teams rely on us"), or a plural-looking word before a verb without agreement ("Brokers switched to us").
    /// Any other word before a singular verb names a company ("Stripe relies on us", "Ramp is a customer"): a
    /// singular common noun does not open an English sentence without an article.
    /// </summary>
    private static bool IsCommonSubject(string word, Number number)
    {
        var lower = word.ToLowerInvariant();
        if (Lexicon.IsCommonCapitalized(word) || CommonSubjects.Contains(lower))
        {
            return true;
        }

        return number switch
        {
            Number.Plural => true,
            Number.Singular => false,
            _ => lower.EndsWith('s') && !lower.EndsWith("ss", StringComparison.Ordinal) && !lower.EndsWith("us", StringComparison.Ordinal)
                 && !lower.EndsWith("is", StringComparison.Ordinal),
        };
    }

    // Pronouns, quantifiers and departments that take a singular verb without an article ("Sales relies on us").
    private static readonly FrozenSet<string> CommonSubjects = FrozenSet.ToFrozenSet(
        ["everybody", "nobody", "somebody", "anybody", "none", "one", "each", "either", "neither", "several", "half", "plenty",
         "dozens", "hundreds", "thousands", "millions", "sales", "marketing", "finance", "engineering", "support", "success",
         "operations", "legal", "procurement", "security", "product", "design", "leadership", "management", "recruiting",
         "hiring", "accounting", "compliance", "research", "growth", "dispatch", "logistics", "enablement", "staff",
         "everything", "nothing", "something", "this", "that", "which", "who"],
        StringComparer.Ordinal);

    /// <summary>"Both Ramp" → "Ramp".</summary>
    private static (int Start, string Text) TrimLeadingStopwords((int Start, string Text) name)
    {
        var (start, text) = name;
        while (text.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 && Lexicon.IsStopword(text[..space].ToLowerInvariant()))
        {
            start += space + 1;
            text = text[(space + 1)..].TrimStart();
        }

        return (start, text);
    }

    /// <summary>
    /// A customer or partner claim names a company the input must present as one, in the phrase that names it as a
    /// customer (see <see cref="CustomerNames.PresentedIn"/>); the lead itself is not a claim. Source names are
    /// capitalized, so the common word "ramp" does not source "Ramp".
    /// </summary>
    private static void ReportCustomer(
        MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed, (int Start, string Text) name, string trigger)
    {
        var (start, text) = name;
        if (text.Length == 0 || Lexicon.IsCommonCapitalized(text) || sources.IsLead(text) || Overlaps(claimed, start, text.Length)
            || sources.HasCustomer(text))
        {
            return;
        }

        Flag(part, flags, claimed, RiskCodes.UnsourcedCustomer, RiskSeverity.Block,
            $"\"{text}\" is named as a customer or partner (\"{trigger.Trim()}\") but the provided context does not present it as one.",
            start, text.Length);
    }

    private static void CheckMetricVerbs(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        for (var v = 0; v < ClaimPatterns.MetricVerbs.Length; v++)
        {
            var (anchors, verb, evidence, kind) = ClaimPatterns.MetricVerbs[v];
            if (!anchors.MayMatch(part.Normalized))
            {
                continue;
            }

            foreach (Match m in verb.Matches(part.Normalized))
            {
                var sentence = part.Sentences.FirstOrDefault(s => m.Index >= s.Start && m.Index < s.Start + s.Text.Length);
                if (sentence.Text is null)
                {
                    continue;
                }

                var end = sentence.Start + sentence.Text.Length;
                var hasQuantity = part.Mentions.Any(q => q.Start >= sentence.Start && q.Start < end
                    && q.Kind is MentionKind.Number or MentionKind.Percent or MentionKind.Money);
                if (!hasQuantity && kind == MetricKind.Verb)
                {
                    continue; // "help you grow pipeline" is a pitch, not a metric claim
                }

                if (Overlaps(claimed, m.Index, m.Length))
                {
                    continue;
                }

                var severity = hasQuantity || kind == MetricKind.Multiplier ? RiskSeverity.Block : RiskSeverity.Warn;
                if (evidence.Any(sources.HasWordStartingWith))
                {
                    // "We double reply rates" sourced only by the lead's "doubled headcount": a result word about the lead is
                    // not the sender's result. Claims with a figure are judged by their figure (CheckMentions).
                    if (kind != MetricKind.Verb && IsUntrustedOnly(sources, s => evidence.Any(s.HasWordStartingWith))
                        && SenderAttribution.IsSenderClaim(part, m.Index, m.Length, sources))
                    {
                        Flag(part, flags, claimed, RiskCodes.MisattributedClaim, severity,
                            $"The result claim \"{m.Value}\" is presented as the sender's own result, but the provided context uses it only about the lead or a third party.",
                            m.Index, m.Length);
                    }

                    continue;
                }

                Flag(part, flags, claimed, RiskCodes.UnsourcedMetric, severity,
                    $"The result claim \"{m.Value}\" in \"{Shorten(sentence.Text)}\" is not supported by the provided context.",
                    m.Index, m.Length);
            }
        }
    }

    /// <summary>
    /// Runs of capitalized words that are neither in the input nor common words. A single capitalized word that
    /// opens a sentence is skipped: without a dictionary it cannot be told apart from an ordinary first word.
    /// </summary>
    private static void CheckProperNames(MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed)
    {
        var sentenceStarts = SentenceInitialWordStarts(part);
        var words = part.Words;
        var i = 0;
        while (i < words.Count)
        {
            if (!IsNameToken(words[i]))
            {
                i++;
                continue;
            }

            var j = i;
            while (j + 1 < words.Count && IsNameToken(words[j + 1]) && IsNameGap(part.Normalized, words[j].End, words[j + 1].Start))
            {
                j++;
            }

            var first = i;
            if (sentenceStarts.Contains(words[i].Start))
            {
                first = i + 1; // the opening word of a sentence tells us nothing by its capital letter
            }

            ReportRun(part, sources, flags, claimed, words, first, j);
            i = j + 1;
        }
    }

    private static void ReportRun(
        MessageText part, SourceIndex sources, List<RiskFlag> flags, List<(int Start, int Length)> claimed, List<Word> words, int first, int last)
    {
        var unknown = new List<Word>();
        for (var k = first; k <= last; k++)
        {
            var token = CustomerNames.TrimPossessive(words[k].Text);
            if (!Lexicon.IsCommonCapitalized(token) && !sources.HasWord(token) && !token.All(char.IsDigit))
            {
                unknown.Add(words[k]);
            }
        }

        if (unknown.Count == 0)
        {
            return;
        }

        var start = unknown[0].Start;
        var length = unknown[^1].End - start;
        var runText = part.Normalized.Substring(start, length);
        if (sources.HasPhrase(runText) || Overlaps(claimed, start, length) || part.Contacts.Any(c => start < c.Start + c.Length && c.Start < start + length))
        {
            return;
        }

        Flag(part, flags, claimed, RiskCodes.UnsourcedName, RiskSeverity.Warn,
            $"\"{runText}\" looks like a name but does not appear in the provided context.",
            start, length);
    }

    private static HashSet<int> SentenceInitialWordStarts(MessageText part)
    {
        var starts = new HashSet<int>();
        var w = 0;
        foreach (var sentence in part.Sentences)
        {
            while (w < part.Words.Count && part.Words[w].Start < sentence.Start)
            {
                w++;
            }

            if (w < part.Words.Count && part.Words[w].Start < sentence.Start + sentence.Text.Length)
            {
                starts.Add(part.Words[w].Start);
            }
        }

        return starts;
    }

    private static bool IsNameToken(Word word) => word.IsCapitalized;

    private static bool IsNameGap(string text, int from, int to)
    {
        var gap = text.AsSpan(from, to - from);
        return gap is " " or " & ";
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static bool Overlaps(List<(int Start, int Length)> ranges, int start, int length)
    {
        foreach (var (s, l) in ranges)
        {
            if (start < s + l && s < start + length)
            {
                return true;
            }
        }

        return false;
    }
}
