using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>One checked part of the message (body or subject), pre-tokenized once for all checks.</summary>
internal sealed class MessageText
{
    public MessageText(MessagePart part, string text)
    {
        Part = part;
        Text = text;
        Folded = FoldedText.Create(text);
        Words = Lexicon.Tokenize(text);
        Sentences = SentenceSplitter.Split(text);
        Contacts = ContactFinder.Extract(text);
        Mentions = Quantities.Extract(text, Contacts.Select(c => (c.Start, c.Length)).ToList());
    }

    public MessagePart Part { get; }

    public string Text { get; }

    public FoldedText Folded { get; }

    public List<Word> Words { get; }

    public List<Sentence> Sentences { get; }

    public List<Contact> Contacts { get; }

    public List<Mention> Mentions { get; }

    public RiskSpan Span(int start, int length) => new(start, length, Text.Substring(start, length), Part);
}
