using System.Text.Json;
using System.Text.RegularExpressions;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.Triage.Policies;

/// <summary>
/// Reads a policy document field by field so that every error names its JSON path (<c>policy.intents.pricing.min_confidence</c>).
/// Missing fields take the default policy's values; unknown fields are errors (a typo must not silently disable a rule).
/// </summary>
internal static partial class PolicyParser
{
    public const int MaxListEntries = 1000;

    private static readonly string[] TopLevel =
        ["allowed_intents", "senders", "domain_rules", "vip_senders", "intents", "sla_minutes", "pii", "dry_run", "human_below_confidence", "default_owner"];

    public static TriagePolicy? Parse(JsonElement root, string path, FieldErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object");
            return null;
        }
        Unknown(root, path, TopLevel, errors);
        var d = TriagePolicy.Default;

        var allowed = root.TryGetProperty("allowed_intents", out var ai)
            ? Names(ai, $"{path}.allowed_intents", errors) ?? d.AllowedIntents
            : d.AllowedIntents;
        if (!allowed.Contains("other"))
        {
            errors.Add($"{path}.allowed_intents", "must contain \"other\" (the fallback intent)");
        }

        var senders = d.Senders;
        if (root.TryGetProperty("senders", out var s))
        {
            if (s.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.senders", "must be an object");
            }
            else
            {
                Unknown(s, $"{path}.senders", ["allow", "block"], errors);
                senders = new SenderLists(
                    s.TryGetProperty("allow", out var a) ? SenderEntries(a, $"{path}.senders.allow", errors) : [],
                    s.TryGetProperty("block", out var b) ? SenderEntries(b, $"{path}.senders.block", errors) : []);
            }
        }

        var vip = root.TryGetProperty("vip_senders", out var v) ? SenderEntries(v, $"{path}.vip_senders", errors) : d.VipSenders;
        var rules = root.TryGetProperty("domain_rules", out var dr) ? DomainRules(dr, $"{path}.domain_rules", errors) : d.DomainRules;
        var intents = Intents(root, path, allowed, errors);
        var sla = Sla(root, path, errors);

        var pii = d.Pii;
        if (root.TryGetProperty("pii", out var p))
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.pii", "must be an object");
            }
            else
            {
                Unknown(p, $"{path}.pii", ["redact_before_llm"], errors);
                pii = new PiiPolicy(p.TryGetProperty("redact_before_llm", out var r) ? Bool(r, $"{path}.pii.redact_before_llm", errors) ?? true : true);
            }
        }

        var dryRun = root.TryGetProperty("dry_run", out var dre) ? Bool(dre, $"{path}.dry_run", errors) ?? false : d.DryRun;
        var humanBelow = root.TryGetProperty("human_below_confidence", out var hb)
            ? Fraction(hb, $"{path}.human_below_confidence", errors) ?? d.HumanBelowConfidence
            : d.HumanBelowConfidence;
        var defaultOwner = root.TryGetProperty("default_owner", out var dow) ? Owner(dow, $"{path}.default_owner", errors) ?? d.DefaultOwner : d.DefaultOwner;

        return errors.Any ? null : new TriagePolicy(allowed, senders, rules, vip, intents, sla, pii, dryRun, humanBelow, defaultOwner);
    }

    private static Dictionary<string, IntentPolicy> Intents(JsonElement root, string path, IReadOnlyList<string> allowed, FieldErrors errors)
    {
        var result = new Dictionary<string, IntentPolicy>(StringComparer.Ordinal);
        foreach (var intent in allowed)
        {
            result[intent] = TriagePolicy.Default.Intents.TryGetValue(intent, out var def)
                ? def
                : new IntentPolicy(false, TriagePolicy.DefaultMinConfidence, null, false);
        }
        if (!root.TryGetProperty("intents", out var intents))
        {
            return result;
        }
        if (intents.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.intents", "must be an object keyed by intent");
            return result;
        }
        foreach (var prop in intents.EnumerateObject())
        {
            var at = $"{path}.intents.{prop.Name}";
            if (!allowed.Contains(prop.Name))
            {
                errors.Add(at, "is not in allowed_intents");
                continue;
            }
            if (prop.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(at, "must be an object");
                continue;
            }
            Unknown(prop.Value, at, ["auto_send", "min_confidence", "owner", "dry_run"], errors);
            var baseline = result[prop.Name];
            var o = prop.Value;
            result[prop.Name] = new IntentPolicy(
                o.TryGetProperty("auto_send", out var a) ? Bool(a, $"{at}.auto_send", errors) ?? false : baseline.AutoSend,
                o.TryGetProperty("min_confidence", out var m) ? Fraction(m, $"{at}.min_confidence", errors) ?? 1 : baseline.MinConfidence,
                o.TryGetProperty("owner", out var w) ? Owner(w, $"{at}.owner", errors) : baseline.Owner,
                o.TryGetProperty("dry_run", out var dr) ? Bool(dr, $"{at}.dry_run", errors) ?? false : baseline.DryRun);
        }
        return result;
    }

    private static Dictionary<string, int> Sla(JsonElement root, string path, FieldErrors errors)
    {
        var result = new Dictionary<string, int>(TriagePolicy.Default.SlaMinutes, StringComparer.Ordinal);
        if (!root.TryGetProperty("sla_minutes", out var sla))
        {
            return result;
        }
        if (sla.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.sla_minutes", "must be an object keyed by urgency");
            return result;
        }
        foreach (var prop in sla.EnumerateObject())
        {
            var at = $"{path}.sla_minutes.{prop.Name}";
            if (!TriagePolicy.Urgencies.Contains(prop.Name))
            {
                errors.Add(at, $"is not an urgency (one of {string.Join(", ", TriagePolicy.Urgencies)})");
            }
            else if (prop.Value.ValueKind != JsonValueKind.Number || !prop.Value.TryGetInt32(out var minutes) || minutes is < 1 or > 525_600)
            {
                errors.Add(at, "must be an integer number of minutes between 1 and 525600");
            }
            else
            {
                result[prop.Name] = minutes;
            }
        }
        return result;
    }

    private static List<DomainRule> DomainRules(JsonElement e, string path, FieldErrors errors)
    {
        var list = new List<DomainRule>();
        if (e.ValueKind != JsonValueKind.Array)
        {
            errors.Add(path, "must be an array");
            return list;
        }
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(at, "must be an object");
                continue;
            }
            Unknown(item, at, ["domain", "owner", "max_path"], errors);
            var domain = item.TryGetProperty("domain", out var dm) && dm.ValueKind == JsonValueKind.String ? dm.GetString()!.Trim().ToLowerInvariant() : null;
            if (domain is null || !DomainPattern().IsMatch(domain))
            {
                errors.Add($"{at}.domain", "must be a domain name like example.com");
            }
            var owner = item.TryGetProperty("owner", out var ow) ? Owner(ow, $"{at}.owner", errors) : null;
            ResponsePath? max = null;
            if (item.TryGetProperty("max_path", out var mp))
            {
                max = mp.ValueKind == JsonValueKind.String ? mp.GetString() switch
                {
                    "AUTO_SEND" => ResponsePath.AutoSend,
                    "DRAFT_FOR_REVIEW" => ResponsePath.DraftForReview,
                    "HUMAN" => ResponsePath.Human,
                    _ => null,
                } : null;
                if (max is null)
                {
                    errors.Add($"{at}.max_path", "must be one of AUTO_SEND, DRAFT_FOR_REVIEW, HUMAN");
                }
            }
            if (domain is not null)
            {
                list.Add(new DomainRule(domain, owner, max));
            }
        }
        return list;
    }

    private static List<string> SenderEntries(JsonElement e, string path, FieldErrors errors)
    {
        var list = new List<string>();
        var strings = Strings(e, path, errors);
        for (var i = 0; i < strings.Count; i++)
        {
            var s = strings[i].Trim().ToLowerInvariant();
            var ok = s.Contains('@', StringComparison.Ordinal)
                ? EmailPattern().IsMatch(s) || (s.StartsWith('@') && DomainPattern().IsMatch(s[1..]))
                : DomainPattern().IsMatch(s);
            if (!ok)
            {
                errors.Add($"{path}[{i}]", "must be an email address or a domain");
            }
            else if (!list.Contains(s))
            {
                list.Add(s);
            }
        }
        return list;
    }

    private static List<string>? Names(JsonElement e, string path, FieldErrors errors)
    {
        var strings = Strings(e, path, errors);
        var list = new List<string>();
        for (var i = 0; i < strings.Count; i++)
        {
            if (!NamePattern().IsMatch(strings[i]))
            {
                errors.Add($"{path}[{i}]", "must be lower_snake_case (a-z, 0-9, _), at most 40 characters");
            }
            else if (!list.Contains(strings[i]))
            {
                list.Add(strings[i]);
            }
        }
        if (e.ValueKind == JsonValueKind.Array && list.Count == 0)
        {
            errors.Add(path, "must not be empty");
        }
        return list.Count == 0 ? null : list;
    }

    private static List<string> Strings(JsonElement e, string path, FieldErrors errors)
    {
        var list = new List<string>();
        if (e.ValueKind != JsonValueKind.Array)
        {
            errors.Add(path, "must be an array of strings");
            return list;
        }
        if (e.GetArrayLength() > MaxListEntries)
        {
            errors.Add(path, $"must have at most {MaxListEntries} entries");
            return list;
        }
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                errors.Add($"{path}[{i}]", "must be a non-empty string");
            }
            else
            {
                list.Add(item.GetString()!);
            }
            i++;
        }
        return list;
    }

    private static string? Owner(JsonElement e, string path, FieldErrors errors)
    {
        if (e.ValueKind == JsonValueKind.String && OwnerPattern().IsMatch(e.GetString()!))
        {
            return e.GetString();
        }
        errors.Add(path, "must be a team or queue name (letters, digits, '-', '_', '.', '@'), at most 80 characters");
        return null;
    }

    private static bool? Bool(JsonElement e, string path, FieldErrors errors)
    {
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return e.GetBoolean();
        }
        errors.Add(path, "must be true or false");
        return null;
    }

    private static double? Fraction(JsonElement e, string path, FieldErrors errors)
    {
        if (e.ValueKind == JsonValueKind.Number && e.GetDouble() is var x and >= 0 and <= 1)
        {
            return x;
        }
        errors.Add(path, "must be a number between 0 and 1");
        return null;
    }

    private static void Unknown(JsonElement o, string path, IReadOnlyCollection<string> known, FieldErrors errors)
    {
        foreach (var prop in o.EnumerateObject())
        {
            if (!known.Contains(prop.Name))
            {
                errors.Add($"{path}.{prop.Name}", "is not a known field");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,40}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[^@\s]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex EmailPattern();
}
