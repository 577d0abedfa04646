using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>
/// One checked part of the message (body or subject), pre-tokenized once for all checks. Everything is found in
/// <see cref="Normalized"/> (see <see cref="TextNormalizer"/>), which has the same length as <see cref="Text"/>, so
/// offsets are shared and <see cref="Span"/> quotes what was actually written. Words, sentences, contacts and mentions
/// are computed on first use (a wording-only screen needs none of them); checks running concurrently may each compute
/// one, and either result is kept (they are equal).
/// </summary>
internal sealed class MessageText
{
    private List<Word>? _words;
    private List<Sentence>? _sentences;
    private List<Contact>? _contacts;
    private List<Mention>? _mentions;

    public MessageText(MessagePart part, string text)
    {
        Part = part;
        Text = text;
        Normalized = TextNormalizer.Normalize(text);
        Folded = FoldedText.Create(Normalized);
    }

    public MessagePart Part { get; }

    /// <summary>The text as written: lengths, SMS encoding and span quotes use it.</summary>
    public string Text { get; }

    /// <summary><see cref="Text"/> with compatibility forms folded (same length, same instance when all ASCII): match patterns on it.</summary>
    public string Normalized { get; }

    public FoldedText Folded { get; }

    /// <summary>Words of <see cref="Normalized"/>.</summary>
    public List<Word> Words => Volatile.Read(ref _words) ?? Publish(ref _words, Lexicon.Tokenize(Normalized));

    /// <summary>Sentences of <see cref="Normalized"/>.</summary>
    public List<Sentence> Sentences => Volatile.Read(ref _sentences) ?? Publish(ref _sentences, SentenceSplitter.Split(Normalized));

    public List<Contact> Contacts => Volatile.Read(ref _contacts) ?? Publish(ref _contacts, Quoted(ContactFinder.Extract(Normalized), c => (c.Start, c.Length), (c, t) => c with { Text = t }));

    public List<Mention> Mentions => Volatile.Read(ref _mentions)
        ?? Publish(ref _mentions, Quoted(Quantities.Extract(Normalized, Contacts.Select(c => (c.Start, c.Length)).ToList()), m => (m.Start, m.Length), (m, t) => m with { Text = t }));

    public RiskSpan Span(int start, int length) => new(start, length, Text.Substring(start, length), Part);

    private static List<T> Publish<T>(ref List<T>? field, List<T> value) => Interlocked.CompareExchange(ref field, value, null) ?? value;

    // Findings quote the writer's characters ("４０％"), not their normalised form.
    private List<T> Quoted<T>(List<T> found, Func<T, (int Start, int Length)> span, Func<T, string, T> withText) =>
        ReferenceEquals(Normalized, Text) ? found : found.ConvertAll(x => span(x) is var (start, length) ? withText(x, Text.Substring(start, length)) : x);
}
