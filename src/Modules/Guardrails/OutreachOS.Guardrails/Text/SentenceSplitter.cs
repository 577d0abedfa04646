namespace OutreachOS.Guardrails.Text;

internal readonly record struct Sentence(int Start, string Text)
{
    public bool IsQuestion => Text.TrimEnd().EndsWith('?');

    public int WordCount { get; } = CountWords(Text);

    private static int CountWords(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var letter = char.IsLetterOrDigit(c);
            if (letter && !inWord)
            {
                count++;
            }

            inWord = letter;
        }

        return count;
    }
}

internal static class SentenceSplitter
{
    /// <summary>
    /// Splits on . ! ? followed by whitespace (so "2.5M" and "e.g." mid-word stay whole) and on line breaks,
    /// because greetings and sign-offs sit on their own lines.
    /// </summary>
    public static List<Sentence> Split(string text)
    {
        var result = new List<Sentence>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\n' or '\r')
            {
                Add(result, text, start, i);
                start = i + 1;
            }
            else if (c is '.' or '!' or '?')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is '.' or '!' or '?' or '"' or '\'' or ')' or '”' or '’')
                {
                    end++;
                }

                if (end == text.Length || char.IsWhiteSpace(text[end]))
                {
                    Add(result, text, start, end);
                    start = end;
                    i = end - 1;
                }
            }
        }

        Add(result, text, start, text.Length);
        return result;
    }

    private static void Add(List<Sentence> result, string text, int start, int end)
    {
        var raw = text.AsSpan(start, end - start);
        var lead = raw.Length - raw.TrimStart().Length;
        var trimmed = raw.Trim();
        if (trimmed.Length > 0)
        {
            result.Add(new Sentence(start + lead, trimmed.ToString()));
        }
    }
}
