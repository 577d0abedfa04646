using System.Collections.Frozen;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Whose figure a quantity in the message is: the sender's own ("we cut onboarding by 40%", "our customers see 3x more
/// replies", "we help teams like yours book 40% more meetings") or someone else's ("your team grew 40%", "we noticed Acme
/// hired 12 SDRs"). A figure the lead's context gives about the lead does not source the same figure claimed as the
/// sender's result, so the unsourced-claims check asks this for figures it found only in untrusted context.
/// <para>
/// The reading is local and explainable, not a parse: within the clause holding the figure (the sentence, cut at
/// <c>; : ( ) —</c> and a spaced dash), a possessive right before the figure decides ("your 40%", "our 40%"); otherwise
/// the nearest person marker before it does (then the first one after it): a first-person marker makes it the sender's,
/// unless it reports what the sender saw ("we noticed", "I read"); a second- or third-person marker or the lead's name
/// makes it someone else's, unless the sender causes it ("we help you cut …", "helped Acme save …"); customers, clients
/// or users with no owner before the figure are the sender's ("Customers using Outreachly grew replies by 40%"). "Like yours" and
/// "such as yours" name a kind of team, not whose figure it is. A clause with no marker is nobody's claim in particular.
/// </para>
/// </summary>
internal static class SenderAttribution
{
    private enum Person
    {
        None,
        First,
        Other,
    }

    public static bool IsSenderClaim(MessageText part, int figureStart, int figureLength, SourceIndex sources)
    {
        var (clauseStart, clauseEnd) = ClauseAround(part, figureStart, figureStart + figureLength);
        var words = part.Words;
        var first = words.FindIndex(w => w.Start >= clauseStart);
        if (first < 0)
        {
            return false;
        }

        var before = new List<int>();
        var after = new List<int>();
        for (var i = first; i < words.Count && words[i].Start < clauseEnd; i++)
        {
            if (words[i].End <= figureStart)
            {
                before.Add(i);
            }
            else if (words[i].Start >= figureStart + figureLength)
            {
                after.Add(i);
            }
        }

        // A possessive right before the figure ("your 40% growth", "Acme's 12 offices", "our 3x lift").
        if (before.Count > 0)
        {
            var previous = words[before[^1]];
            var kind = Resolve(part, words, before[^1], PersonOf(previous, sources), sources);
            if (kind != Person.None && IsPossessive(part.Normalized, previous))
            {
                return kind == Person.First;
            }
        }

        for (var k = before.Count - 1; k >= 0; k--)
        {
            var i = before[k];
            var kind = Resolve(part, words, i, PersonOf(words[i], sources), sources);
            if (kind == Person.None && CustomerNouns.Contains(Lower(words[i])))
            {
                // "Customers using Outreachly grew replies by 40%": customers without an owner are the sender's;
                // "your customers", "Acme's clients" are decided by their owner, the next marker back.
                if (i == 0 || !IsPossessive(part.Normalized, words[i - 1]) || PersonOf(words[i - 1], sources) == Person.None)
                {
                    return true;
                }

                continue;
            }

            if (kind == Person.None || IsKindOfTeam(words, i) || IsVocative(part.Normalized, words, i, sources))
            {
                continue;
            }

            if (kind == Person.First)
            {
                // "we saw a 40% lift for clients": what the sender saw, but for its customers, is its result again.
                return !Reports(words, i, before[^1]) || ForSendersCustomers(words, after, sources);
            }

            // "help you cut …", "helped Acme Logistics save …": the sender's result when a first-person subject causes it.
            var head = i;
            while (head > 0 && words[head - 1].Start >= clauseStart && words[head - 1].IsCapitalized && IsLeadWord(words[head - 1], sources))
            {
                head--;
            }

            return head > 0 && Causatives.Contains(Lower(words[head - 1])) && words[head - 1].Start >= clauseStart
                && before.Take(k).Any(j => words[j].Start < words[head].Start && PersonOf(words[j], sources) == Person.First
                    && !Reports(words, j, before[^1]));
        }

        foreach (var i in after)
        {
            var kind = PersonOf(words[i], sources);
            if (kind != Person.None && !IsKindOfTeam(words, i) && !IsVocative(part.Normalized, words, i, sources))
            {
                return kind == Person.First;
            }
        }

        return false;
    }

    /// <summary>
    /// "They", "their", "them" take the person of what they refer to: the nearest candidate before them in their
    /// sentence or the one before. The sender's customers ("We work with 200 SaaS teams. Their reply rates rose 40%",
    /// "our clients … they") make the figure the sender's; the lead ("Acme is hiring. Their pipeline grew 40%") or
    /// nothing found leaves it someone else's.
    /// </summary>
    private static Person Resolve(MessageText part, List<Word> words, int i, Person kind, SourceIndex sources)
    {
        if (kind != Person.Other || !PluralThird.Contains(Lower(words[i])))
        {
            return kind;
        }

        var limit = SentenceStartBefore(part, words[i].Start);
        for (var j = i - 1; j >= 0 && words[j].Start >= limit && i - j <= 40; j--)
        {
            var lower = Lower(words[j]);
            if (PluralThird.Contains(lower))
            {
                continue; // the same referent, mentioned earlier
            }

            if (IsKindOfTeam(words, j))
            {
                j--; // "teams like yours": skip "like yours" and read the noun before it
                continue;
            }

            if (CustomerNouns.Contains(lower) && lower.EndsWith('s'))
            {
                // "our clients", "customers": the sender's; "your customers", "Acme's clients": their owner's.
                if (j > 0 && IsPossessive(part.Normalized, words[j - 1]))
                {
                    var owner = PersonOf(words[j - 1], sources);
                    return owner == Person.None ? Person.Other : owner;
                }

                return Person.First;
            }

            if (GroupNouns.Contains(lower))
            {
                if (ServedBySender(words, j, sources))
                {
                    return Person.First;
                }

                if (j > 0 && PersonOf(words[j - 1], sources) == Person.Other)
                {
                    return Person.Other; // "your reps", "Acme's carriers"
                }

                continue;
            }

            if (PersonOf(words[j], sources) == Person.Other)
            {
                return Person.Other; // the lead, or "you"
            }
        }

        return kind;
    }

    /// <summary>
    /// A group the sender serves: "teams like yours", "teams we work with", "we work with 200 SaaS teams", "we help teams",
    /// "our teams".
    /// </summary>
    private static bool ServedBySender(List<Word> words, int j, SourceIndex sources)
    {
        if (j + 2 < words.Count && Lower(words[j + 1]) == "like" && Lower(words[j + 2]) is "yours" or "you" or "ours")
        {
            return true;
        }

        if (j + 2 < words.Count && FirstPerson.Contains(Lower(words[j + 1])) && Serves.Contains(Lower(words[j + 2])))
        {
            return true; // "teams we work with"
        }

        for (var k = j - 1; k >= Math.Max(0, j - 5); k--)
        {
            var lower = Lower(words[k]);
            if (lower is "our" or "my")
            {
                return true;
            }

            if (Serves.Contains(lower) || Causatives.Contains(lower))
            {
                return k > 0 && PersonOf(words[k - 1], sources) == Person.First;
            }

            if (PersonOf(words[k], sources) != Person.None)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>"… a 40% lift for clients", "… across our customer base", "… among teams we work with".</summary>
    private static bool ForSendersCustomers(List<Word> words, List<int> after, SourceIndex sources)
    {
        for (var a = 0; a < after.Count; a++)
        {
            if (Lower(words[after[a]]) is not ("for" or "across" or "among" or "at" or "with"))
            {
                continue;
            }

            var owned = false;
            for (var b = a + 1; b < after.Count && b <= a + 4; b++)
            {
                var i = after[b];
                var lower = Lower(words[i]);
                if (lower is "our" or "my")
                {
                    owned = true;
                    continue;
                }

                if (PersonOf(words[i], sources) != Person.None)
                {
                    break; // "for your team", "for Acme"
                }

                if (CustomerNouns.Contains(lower) || (GroupNouns.Contains(lower) && (owned || ServedBySender(words, i, sources))))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The start of the sentence before the one holding <paramref name="at"/> (or of that one, when it is the first).</summary>
    private static int SentenceStartBefore(MessageText part, int at)
    {
        var previous = 0;
        var current = 0;
        foreach (var s in part.Sentences)
        {
            if (s.Start > at)
            {
                break;
            }

            previous = current;
            current = s.Start;
        }

        return previous;
    }

    /// <summary>The clause holding [start, end): its sentence, cut at clause punctuation and spaced dashes.</summary>
    private static (int Start, int End) ClauseAround(MessageText part, int start, int end)
    {
        var text = part.Normalized;
        var sentenceStart = 0;
        var sentenceEnd = text.Length;
        foreach (var s in part.Sentences)
        {
            if (start >= s.Start && start < s.Start + s.Text.Length)
            {
                sentenceStart = s.Start;
                sentenceEnd = Math.Max(end, s.Start + s.Text.Length);
                break;
            }
        }

        var from = start;
        while (from > sentenceStart && !IsClauseBreak(text, from - 1))
        {
            from--;
        }

        var to = end;
        while (to < sentenceEnd && !IsClauseBreak(text, to))
        {
            to++;
        }

        return (from, to);
    }

    private static bool IsClauseBreak(string text, int at) => text[at] switch
    {
        ';' or ':' or '(' or ')' or '—' or '–' or '\n' => true,
        // A spaced hyphen is a dash; "15-min" is a word.
        '-' => at > 0 && at + 1 < text.Length && text[at - 1] == ' ' && text[at + 1] == ' ',
        _ => false,
    };

    private static Person PersonOf(Word word, SourceIndex sources)
    {
        var lower = Lower(word);
        if (FirstPerson.Contains(lower))
        {
            // "US" in capitals is the country.
            return lower == "us" && word.Text == "US" ? Person.None : Person.First;
        }

        if (OtherPerson.Contains(lower))
        {
            return Person.Other;
        }

        return word.IsCapitalized && IsLeadWord(word, sources) ? Person.Other : Person.None;
    }

    private static bool IsLeadWord(Word word, SourceIndex sources) => sources.IsLead(CustomerNames.TrimPossessive(word.Text));

    /// <summary>The lead addressed by name ("Hi Sarah, …", "Sarah, …"): not the owner of what follows.</summary>
    private static bool IsVocative(string text, List<Word> words, int i, SourceIndex sources) =>
        words[i].IsCapitalized && IsLeadWord(words[i], sources) && words[i].End < text.Length && text[words[i].End] == ','
        && (i == 0 || Lower(words[i - 1]) is "hi" or "hello" or "hey" or "dear" || text.AsSpan(words[i - 1].End, words[i].Start - words[i - 1].End).IndexOfAny(".!?\n") >= 0);

    /// <summary>
    /// "your customers", "their users", "Acme's clients", "Acme Logistics' clients": the word right before
    /// <paramref name="start"/> is a possessive of someone other than the sender.
    /// </summary>
    public static bool IsOwnedByOthers(MessageText part, int start)
    {
        var previous = part.Words.FindLastIndex(w => w.End <= start);
        return previous >= 0 && part.Normalized.AsSpan(part.Words[previous].End, start - part.Words[previous].End).Trim(" '’").IsEmpty
            && IsPossessive(part.Normalized, part.Words[previous]) && !FirstPerson.Contains(Lower(part.Words[previous]));
    }

    /// <summary>"our", "your", "Acme's", and "Logistics'" (the tokenizer leaves a final apostrophe out of the word).</summary>
    private static bool IsPossessive(string text, Word word)
    {
        var lower = Lower(word);
        return lower is "our" or "my" or "your" or "their" or "his" or "her" or "its" || lower.EndsWith("'s", StringComparison.Ordinal)
            || (word.End < text.Length && text[word.End] is '\'' or '’');
    }

    /// <summary>"Teams like yours", "companies such as yours": a kind of team, not the owner of the figure.</summary>
    private static bool IsKindOfTeam(List<Word> words, int i)
    {
        var lower = Lower(words[i]);
        if (lower is not ("you" or "yours" or "your"))
        {
            return false;
        }

        var previous = i > 0 ? Lower(words[i - 1]) : string.Empty;
        return previous == "like" || (previous == "as" && i > 1 && Lower(words[i - 2]) == "such");
    }

    /// <summary>A first-person subject that reports what it saw rather than claims a result: "we noticed", "I've read".</summary>
    private static bool Reports(List<Word> words, int subject, int lastBefore)
    {
        if (Lower(words[subject]) is not ("we" or "i" or "we've" or "i've" or "we'd" or "i'd" or "we're" or "i'm"))
        {
            return false;
        }

        for (var i = subject + 1; i <= Math.Min(subject + 3, lastBefore); i++)
        {
            if (Reporting.Contains(Lower(words[i])))
            {
                return true;
            }
        }

        return false;
    }

    private static string Lower(Word word) => word.Text.ToLowerInvariant().Replace('’', '\'');

    private static readonly FrozenSet<string> FirstPerson = FrozenSet.ToFrozenSet(
        ["we", "we've", "we're", "we'd", "we'll", "our", "ours", "us", "ourselves", "i", "i've", "i'm", "i'd", "i'll", "my", "me", "mine"],
        StringComparer.Ordinal);

    // "It" and "its" are left out: they name the product as often as the lead.
    private static readonly FrozenSet<string> OtherPerson = FrozenSet.ToFrozenSet(
        ["you", "you've", "you're", "you'd", "you'll", "your", "yours", "yourself", "they", "they've", "they're", "their", "theirs",
         "them", "he", "she", "his", "her", "he's", "she's"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> CustomerNouns = FrozenSet.ToFrozenSet(
        ["customers", "customer", "clients", "client", "users", "adopters"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> PluralThird = FrozenSet.ToFrozenSet(
        ["they", "they've", "they're", "their", "theirs", "them"], StringComparer.Ordinal);

    /// <summary>Groups a sender serves, when something says so (<see cref="ServedBySender"/>).</summary>
    private static readonly FrozenSet<string> GroupNouns = FrozenSet.ToFrozenSet(
        ["teams", "companies", "brands", "businesses", "startups", "accounts", "organizations", "organisations", "firms", "agencies",
         "shops", "base", "portfolio", "partners", "reps"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> Serves = FrozenSet.ToFrozenSet(
        ["work", "worked", "working", "works", "partner", "partnered", "serve", "served", "serving", "support", "supported", "supporting",
         "onboard", "onboarded", "power", "powered"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> Causatives = FrozenSet.ToFrozenSet(
        ["help", "helps", "helped", "helping", "enable", "enables", "enabled", "enabling", "let", "lets", "letting", "allow", "allows",
         "allowed", "get", "gets", "got", "make", "makes", "made"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> Reporting = FrozenSet.ToFrozenSet(
        ["noticed", "notice", "read", "heard", "hear", "learned", "learnt", "understand", "understood", "came", "saw", "spotted",
         "congratulate", "congrats", "gather", "gathered", "see"],
        StringComparer.Ordinal);
}
