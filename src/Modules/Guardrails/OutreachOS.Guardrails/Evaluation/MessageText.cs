using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>
/// One checked part of the message (body or subject), pre-tokenized once for all checks. Everything is found in
/// <see cref="Normalized"/> (see <see cref="TextNormalizer"/>), which has the same length as <see cref="Text"/>, so
/// offsets are shared and <see cref="Span"/> quotes what was actually written.
/// </summary>
internal sealed class MessageText
{
    public MessageText(MessagePart part, string text)
    {
        Part = part;
        Text = text;
        Normalized = TextNormalizer.Normalize(text);
        Folded = FoldedText.Create(Normalized);
        Words = Lexicon.Tokenize(Normalized);
        Sentences = SentenceSplitter.Split(Normalized);
        Contacts = ContactFinder.Extract(Normalized);
        Mentions = Quantities.Extract(Normalized, Contacts.Select(c => (c.Start, c.Length)).ToList());
        if (!ReferenceEquals(Normalized, text))
        {
            // Findings quote the writer's characters ("４０％"), not their normalised form.
            Contacts = Contacts.ConvertAll(c => c with { Text = text.Substring(c.Start, c.Length) });
            Mentions = Mentions.ConvertAll(m => m with { Text = text.Substring(m.Start, m.Length) });
        }
    }

    public MessagePart Part { get; }

    /// <summary>The text as written: lengths, SMS encoding and span quotes use it.</summary>
    public string Text { get; }

    /// <summary><see cref="Text"/> with compatibility forms folded (same length, same instance when all ASCII): match patterns on it.</summary>
    public string Normalized { get; }

    public FoldedText Folded { get; }

    /// <summary>Words of <see cref="Normalized"/>.</summary>
    public List<Word> Words { get; }

    /// <summary>Sentences of <see cref="Normalized"/>.</summary>
    public List<Sentence> Sentences { get; }

    public List<Contact> Contacts { get; }

    public List<Mention> Mentions { get; }

    public RiskSpan Span(int start, int length) => new(start, length, Text.Substring(start, length), Part);
}
