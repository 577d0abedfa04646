using System.Text;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Contacts;

internal sealed record CsvError(int Line, string Field, string Reason);

/// <summary>
/// One contact row; a null field means its column is absent from the file (the stored value is kept), an empty one clears
/// it. The <c>*At</c> fields are ISO 8601 text already validated (empty: clear).
/// </summary>
internal sealed record ContactRow(int Line, string Email, string? Name, string? Company, bool? Vip, IReadOnlyList<string>? Tags,
    string? LastDeal = null, string? LastDealAt = null, string? LastTicket = null, string? LastTicketAt = null);

/// <summary>A data line of <see cref="ContactCsv.ReadTable"/>: its first physical line and its fields by column name.</summary>
internal sealed record CsvLine(int Line, Func<string, string?> Field);

internal sealed record CsvTable(IReadOnlyList<CsvLine> Lines, IReadOnlyList<CsvError> Errors, string? HeaderError);

internal sealed record ContactCsvResult(IReadOnlyList<ContactRow> Rows, IReadOnlyList<CsvError> Errors, string? HeaderError);

/// <summary>
/// RFC 4180 CSV of contacts: a header naming columns (email required; name, company, vip, tags, last_deal, last_deal_at,
/// last_ticket, last_ticket_at optional, any order, unknown ones ignored), quoted fields with commas, doubled quotes and
/// line breaks. Bad lines are reported with their (first) physical line number and the field; good lines are kept. Tags
/// are separated by ';' or '|'. last_deal / last_ticket are one-line summaries (the contact's history shows them as DEAL
/// and TICKET items: line breaks and tabs become spaces), their <c>_at</c> columns ISO 8601 dates or date-times (UTC when
/// no offset is given). A control character other than tab and line breaks fails its line (<see cref="ReadTable"/>).
/// </summary>
internal static class ContactCsv
{
    public const int MaxRows = 50_000;
    public const int MaxHistorySummary = 500;
    private static readonly string[] Known = ["email", "name", "company", "vip", "tags", "last_deal", "last_deal_at", "last_ticket", "last_ticket_at"];

    public static ContactCsvResult Parse(string csv)
    {
        var table = ReadTable(csv, Known, "email,name,company,vip,tags", MaxRows);
        var errors = new List<CsvError>(table.Errors);
        var rows = new List<ContactRow>();
        if (table.HeaderError is not null)
        {
            return new ContactCsvResult(rows, errors, table.HeaderError);
        }
        foreach (var (line, field) in table.Lines)
        {
            var before = errors.Count;
            var email = field("email") ?? "";
            if (!EmailAddresses.IsValid(email))
            {
                errors.Add(new CsvError(line, "email", email.Length == 0 ? "is required" : "is not an e-mail address"));
            }
            var name = field("name");
            if (name is { Length: > 200 })
            {
                errors.Add(new CsvError(line, "name", "must be at most 200 characters"));
            }
            var company = field("company");
            if (company is { Length: > 200 })
            {
                errors.Add(new CsvError(line, "company", "must be at most 200 characters"));
            }
            bool? vip = null;
            if (field("vip") is { } v)
            {
                vip = v.ToLowerInvariant() switch
                {
                    "" or "false" or "no" or "0" or "n" => false,
                    "true" or "yes" or "1" or "y" => true,
                    _ => null,
                };
                if (vip is null)
                {
                    errors.Add(new CsvError(line, "vip", "must be true/false, yes/no or 1/0"));
                }
            }
            List<string>? tags = null;
            if (field("tags") is { } t)
            {
                tags = t.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (tags.Count > 50 || tags.Any(x => x.Length > 100))
                {
                    errors.Add(new CsvError(line, "tags", "at most 50 tags of at most 100 characters"));
                }
            }
            var lastDeal = Summary(field("last_deal"), "last_deal", line, errors);
            var lastDealAt = Date(field("last_deal_at"), "last_deal_at", line, errors);
            var lastTicket = Summary(field("last_ticket"), "last_ticket", line, errors);
            var lastTicketAt = Date(field("last_ticket_at"), "last_ticket_at", line, errors);
            if (errors.Count == before)
            {
                rows.Add(new ContactRow(line, EmailAddresses.Canonical(email), Empty(name), Empty(company), vip, tags, lastDeal, lastDealAt, lastTicket, lastTicketAt));
            }
        }
        return new ContactCsvResult(rows, [.. errors.OrderBy(e => e.Line)], null);
    }

    private static string? Empty(string? s) => s is null ? null : s.Length == 0 ? "" : s;

    private static string? Summary(string? value, string field, int line, List<CsvError> errors)
    {
        if (value is null)
        {
            return null;
        }
        var oneLine = string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (oneLine.Length > MaxHistorySummary)
        {
            errors.Add(new CsvError(line, field, $"must be at most {MaxHistorySummary} characters"));
        }
        return oneLine;
    }

    /// <summary>Empty → "" (clear); otherwise the value as an ISO 8601 instant ("o"), or an error naming the field.</summary>
    private static string? Date(string? value, string field, int line, List<CsvError> errors)
    {
        if (value is null || value.Length == 0)
        {
            return value;
        }
        var styles = System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal;
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (DateTimeOffset.TryParseExact(value, formats, System.Globalization.CultureInfo.InvariantCulture, styles, out var at))
        {
            return at.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        }
        errors.Add(new CsvError(line, field, "must be an ISO 8601 date such as 2026-10-01 or 2026-10-01T14:30:00Z"));
        return null;
    }

    /// <summary>
    /// Reads a CSV file as a header and data lines: the header must name an <c>email</c> column (columns in any order,
    /// case-insensitive, unknown ones ignored); each data line gives its fields by column name (null when the column is
    /// absent, "" when the line is short). Blank lines are skipped; malformed lines, lines with more fields than the
    /// header, lines beyond <paramref name="maxRows"/> and lines with a control character in a known column (U+0000–U+001F
    /// but tab, CR and LF, which quoted text may hold; U+007F–U+009F: NUL cannot be stored, and none belongs in a contact or
    /// a reason) are reported, naming the column, not returned. Unknown columns are not read, so not checked.
    /// </summary>
    internal static CsvTable ReadTable(string csv, IReadOnlyList<string> known, string exampleHeader, int maxRows)
    {
        var records = Records(csv).ToList();
        var errors = new List<CsvError>();
        var lines = new List<CsvLine>();
        if (records.Count == 0)
        {
            return new CsvTable(lines, errors, $"the file is empty; the first line must be a header such as {exampleHeader}");
        }
        var (headerLine, header, headerError) = records[0];
        if (headerError is not null)
        {
            return new CsvTable(lines, errors, headerError);
        }
        var columns = header.Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToList();
        var index = known.ToDictionary(k => k, k => columns.IndexOf(k));
        if (index["email"] < 0)
        {
            return new CsvTable(lines, errors, $"line {headerLine}: the header must name an 'email' column");
        }
        foreach (var (line, fields, error) in records.Skip(1))
        {
            if (error is not null)
            {
                errors.Add(new CsvError(line, "line", error));
                continue;
            }
            if (fields.Count == 1 && fields[0].Trim().Length == 0)
            {
                continue; // blank line
            }
            if (lines.Count + errors.Count >= maxRows)
            {
                errors.Add(new CsvError(line, "line", $"more than {maxRows} rows; the rest was not read"));
                break;
            }
            if (fields.Count > columns.Count)
            {
                errors.Add(new CsvError(line, "line", $"has {fields.Count} fields but the header has {columns.Count}"));
                continue;
            }
            var bad = 0;
            foreach (var name in known)
            {
                if (index[name] is >= 0 and var at && at < fields.Count && InvisibleCharacters.FirstControl(fields[at]) is { } c)
                {
                    errors.Add(new CsvError(line, name, $"must not contain control characters (U+{(int)c:X4}); tab and line breaks are allowed"));
                    bad++;
                }
            }
            if (bad > 0)
            {
                continue;
            }
            lines.Add(new CsvLine(line, name => index[name] < 0 ? null : index[name] < fields.Count ? fields[index[name]].Trim() : ""));
        }
        return new CsvTable(lines, errors, null);
    }

    /// <summary>Splits into records: (first physical line, fields, error). Line breaks inside quotes belong to the field.</summary>
    internal static IEnumerable<(int Line, List<string> Fields, string? Error)> Records(string csv)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var wasQuoted = false;
        string? error = null;
        var any = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < csv.Length && csv[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !wasQuoted:
                    quoted = true;
                    wasQuoted = true;
                    break;
                case '"':
                    error ??= "a quote inside an unquoted field (quote the whole field and double inner quotes)";
                    field.Append(c);
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    yield return (start, fields, error);
                    fields = [];
                    field.Clear();
                    wasQuoted = false;
                    error = null;
                    any = false;
                    line++;
                    start = line;
                    break;
                default:
                    if (wasQuoted)
                    {
                        error ??= "text after a closing quote";
                    }
                    field.Append(c);
                    break;
            }
        }
        if (quoted)
        {
            fields.Add(field.ToString());
            yield return (start, fields, "a quoted field is not closed");
        }
        else if (any)
        {
            fields.Add(field.ToString());
            yield return (start, fields, error);
        }
    }
}
