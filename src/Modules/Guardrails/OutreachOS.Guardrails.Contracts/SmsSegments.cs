namespace OutreachOS.Guardrails.Contracts;

public enum SmsEncoding
{
    Gsm7,
    Ucs2,
}

/// <summary>How an SMS body is split on the wire.</summary>
/// <param name="Units">GSM-7 septets (extension characters count 2) or UCS-2 code units.</param>
/// <param name="ThirdSegmentStart">Index in the text where a third segment would begin, or -1.</param>
/// <param name="FirstNonGsmIndex">First character that forces UCS-2, or -1.</param>
public sealed record SmsSegmentation(SmsEncoding Encoding, int Units, int Segments, int ThirdSegmentStart, int FirstNonGsmIndex);

/// <summary>
/// GSM 03.38 segment arithmetic: 160 septets in a single segment, 153 per segment once concatenated (the UDH takes
/// 7); any character outside GSM-7 switches the whole message to UCS-2: 70 units, 67 per concatenated segment.
/// An escape sequence (extension character) or a surrogate pair is never split across segments. Public so that writers
/// (the offline model) fit a message to the same arithmetic the length check applies.
/// </summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "^{}\\[~]|€\f";

    public static SmsSegmentation Calculate(string text)
    {
        var firstNonGsm = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (!Basic.Contains(text[i], StringComparison.Ordinal) && !Extension.Contains(text[i], StringComparison.Ordinal))
            {
                firstNonGsm = i;
                break;
            }
        }

        return firstNonGsm < 0
            ? Pack(text, SmsEncoding.Gsm7, single: 160, multi: 153, firstNonGsm)
            : Pack(text, SmsEncoding.Ucs2, single: 70, multi: 67, firstNonGsm);
    }

    private static SmsSegmentation Pack(string text, SmsEncoding encoding, int single, int multi, int firstNonGsm)
    {
        var total = 0;
        for (var i = 0; i < text.Length; i++)
        {
            total += Cost(text, i, encoding);
        }

        if (total == 0)
        {
            return new SmsSegmentation(encoding, 0, 0, -1, firstNonGsm);
        }

        if (total <= single)
        {
            return new SmsSegmentation(encoding, total, 1, -1, firstNonGsm);
        }

        var segments = 1;
        var used = 0;
        var thirdStart = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var cost = Cost(text, i, encoding);
            if (cost == 0)
            {
                continue; // low surrogate: counted with its high surrogate
            }

            if (used + cost > multi)
            {
                segments++;
                used = 0;
                if (segments == 3)
                {
                    thirdStart = i;
                }
            }

            used += cost;
        }

        return new SmsSegmentation(encoding, total, segments, thirdStart, firstNonGsm);
    }

    private static int Cost(string text, int i, SmsEncoding encoding) => encoding switch
    {
        SmsEncoding.Gsm7 => Extension.Contains(text[i], StringComparison.Ordinal) ? 2 : 1,
        _ when char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) => 2,
        _ when char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]) => 0,
        _ => 1,
    };
}
