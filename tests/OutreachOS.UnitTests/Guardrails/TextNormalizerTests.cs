using System.Globalization;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("Hi Sarah, 40% of teams.")]
    [InlineData("Grüße aus Köln — café, naïve, “quoted”.")]
    [InlineData("")]
    public void Text_without_anything_to_fold_is_returned_as_the_same_instance(string text)
    {
        Assert.Same(text, TextNormalizer.Normalize(text));
    }

    [Theory]
    [InlineData("\uFF28\uFF49\u3000\uFF33\uFF41\uFF52\uFF41\uFF48\uFF0C\uFF14\uFF10\uFF05\uFF01", "Hi Sarah,40%!")]
    [InlineData("\uFF04\uFF12\uFF2D \u0664\u0660\u066A \u0967\u096A:\u0969\u0966", "$2M 40% 14:30")]
    [InlineData("r\u0456sk-free G\u043Eng G\u03BFng \u0261uaranteed \u0421\u0410\u0412", "risk-free Gong Gong guaranteed CAB")]
    [InlineData("1\u00A0000 1\u202F000 1\u2009000 a\u2003b\u205Fc", "1 000 1 000 1 000 a b c")]
    [InlineData("2020\u20132024 \u2014 ok", "2020\u20132024 \u2014 ok")]
    public void Compatibility_forms_fold_to_ascii_one_char_for_one_char(string text, string expected)
    {
        var normalized = TextNormalizer.Normalize(text);
        Assert.Equal(expected, normalized);
        Assert.Equal(text.Length, normalized.Length);
    }

    [Fact]
    public void Every_decimal_digit_becomes_its_ascii_digit()
    {
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            if (char.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber)
            {
                Assert.Equal((char)('0' + (int)char.GetNumericValue(c)), TextNormalizer.Map(c));
            }
        }
    }

    [Theory]
    [InlineData("Jose", "Jos\u00E9", true)]
    [InlineData("Jose\u0301", "JOS\u00C9", true)]
    [InlineData("\u0130smail", "ismail", true)]
    [InlineData("\u0141ukasz", "Lukasz", true)]
    [InlineData("Bj\u00F6rn", "Bjorn", true)]
    [InlineData("Jose", "Josie", false)]
    [InlineData("Jo", "Jose", false)]
    public void Names_compare_ignoring_case_and_accents(string a, string b, bool same)
    {
        Assert.Equal(same, TextNormalizer.SameName(a, b));
    }
}
