using System.Globalization;

namespace OutreachOS.BuildingBlocks.Documents;

/// <summary>
/// The cursor of a list paged by (time, key), newest or oldest first: "{UTC ticks}.{key}" of the page's last entry. The
/// time must be the value as the database returned it (microseconds), so that it compares equal to itself on the next
/// call, where the 100 ns of a .NET timestamp would not. Opaque to clients: they pass back the page's <c>next</c>.
/// </summary>
public static class KeysetCursor
{
    public static string Format(DateTimeOffset at, string key) => $"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{key}";

    /// <summary>False when <paramref name="cursor"/> is not a cursor (absent, malformed, an empty key).</summary>
    public static bool TryParse(string? cursor, out DateTimeOffset at, out string key)
    {
        at = default;
        key = "";
        var dot = cursor?.IndexOf('.') ?? -1;
        if (dot <= 0 || dot == cursor!.Length - 1
            || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        at = new DateTimeOffset(ticks, TimeSpan.Zero);
        key = cursor[(dot + 1)..];
        return true;
    }
}
