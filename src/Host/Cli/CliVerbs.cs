using System.Text.Json;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.Host.Audit;
using OutreachOS.Host.Organizations;

namespace OutreachOS.Host.Cli;

/// <summary>
/// Operator verbs run against the same configuration as the service:
/// <c>projections status</c>, <c>projections rebuild NAME</c>, <c>projections parked [NAME]</c>, <c>audit verify (--all | [--org ID] --stream X)</c>,
/// <c>audit export [--org ID] --stream X --out FILE</c> (events, hashes, the chain verification and the read-model states
/// rebuilt from those events), <c>keys list --org ID</c> and <c>keys issue --org ID [--role R] [--name N]</c> (break-glass:
/// an organization that lost its ADMIN keys gets one from whoever runs the server; the key is printed once, and its
/// issue is an <c>api_key_issued.v1</c> event like any other). <c>--org</c> may be left out of the audit verbs when only
/// one organization has a stream of that id.
/// Each verb takes only the options it names, as <c>--name value</c> or <c>--name=value</c>: an option it does not know,
/// one given twice or one without its value is a usage error (so a mistyped <c>--rol VIEWER</c> issues nothing).
/// Exit code 0 on success, 1 on a failed verification, 2 on usage errors (a stream or organization that is not there,
/// a file that cannot be written).
/// </summary>
internal sealed class CliVerbs
{
    private static readonly string[] Verbs = ["projections", "audit", "keys"];

    private CliVerbs(string[] words) => Words = words;

    public string[] Words { get; }

    public string[] RemainingArgs => [];

    public static CliVerbs? TryParse(string[] args) =>
        args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal) ? new CliVerbs(args) : null;

    public async Task<int> RunAsync(IServiceProvider services)
    {
        try
        {
            return Words switch
            {
                ["projections", "status"] => await StatusAsync(services),
                ["projections", "rebuild", var name] => await RebuildAsync(services, name),
                ["projections", "parked"] => await ParkedAsync(services, null),
                ["projections", "parked", var name] => await ParkedAsync(services, name),
                ["audit", "verify", .. var rest] => await VerifyAsync(services, Options("audit verify", rest, Flag("all"), Value("org"), Value("stream"))),
                ["audit", "export", .. var rest] => await ExportAsync(services, Options("audit export", rest, Value("org"), Value("stream"), Value("out"))),
                ["keys", "list", .. var rest] => await ListKeysAsync(services, Options("keys list", rest, Value("org"))),
                ["keys", "issue", .. var rest] => await IssueKeyAsync(services, Options("keys issue", rest, Value("org"), Value("role"), Value("name"))),
                _ => Usage(),
            };
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or FormatException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              projections status
              projections rebuild <name>
              projections parked [<name>]
              audit verify --all
              audit verify [--org <organization-id>] --stream <stream-id>
              audit export [--org <organization-id>] --stream <stream-id> --out <file.json>
              keys list --org <organization-id>
              keys issue --org <organization-id> [--role ADMIN|MEMBER|VIEWER] [--name <name>]   (role ADMIN by default)
            options are given as --name value or --name=value
            """);
        return 2;
    }

    /// <summary>The organization named by <c>--org</c>, which must exist.</summary>
    private static async Task<OrganizationView> OrganizationAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var id = OrganizationId(o) ?? throw new ArgumentException("--org <organization-id> is required");
        return await services.GetRequiredService<OrganizationService>().GetAsync(id, CancellationToken.None)
            ?? throw new KeyNotFoundException($"no organization {id}");
    }

    private static async Task<int> ListKeysAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var org = await OrganizationAsync(services, o);
        Console.WriteLine($"{org.Name} ({org.Id}):");
        foreach (var k in await services.GetRequiredService<OrganizationService>().ListKeysAsync(org.Id, CancellationToken.None))
        {
            Console.WriteLine($"  {k.Id}  {ApiKeyRoles.ToText(k.Role),-6}  {k.Prefix}…  {k.Name}  created {k.CreatedAt:u}{(k.RevokedAt is { } r ? $"  revoked {r:u}" : "")}");
        }
        return 0;
    }

    private static async Task<int> IssueKeyAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var org = await OrganizationAsync(services, o);
        var role = ApiKeyRole.Admin;
        if (o.TryGetValue("role", out var r) && !ApiKeyRoles.TryParse(r.ToUpperInvariant(), out role))
        {
            throw new ArgumentException($"--role must be ADMIN, MEMBER or VIEWER, not '{r}'");
        }
        var name = o.TryGetValue("name", out var n) && !string.IsNullOrWhiteSpace(n) ? n.Trim() : "issued from the command line";
        if (name.Length > 100)
        {
            throw new ArgumentException("--name must be at most 100 characters");
        }
        var issued = await services.GetRequiredService<OrganizationService>().IssueKeyAsync(org.Id, name, role, CancellationToken.None);
        Console.Error.WriteLine($"issued {ApiKeyRoles.ToText(role)} key {issued.Key.Id} ('{name}') for {org.Name} ({org.Id}); it is shown once:");
        Console.WriteLine(issued.Secret);
        return 0;
    }

    private static (string Name, bool TakesValue) Value(string name) => (name, true);

    private static (string Name, bool TakesValue) Flag(string name) => (name, false);

    /// <summary>
    /// The options of <paramref name="verb"/>, which takes only <paramref name="allowed"/>: <c>--name value</c> or
    /// <c>--name=value</c> (split at the first '=') for a value, <c>--name</c> alone for a flag (present: "true").
    /// Anything else is an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    private static Dictionary<string, string> Options(string verb, string[] rest, params (string Name, bool TakesValue)[] allowed)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < rest.Length; i++)
        {
            if (!rest[i].StartsWith("--", StringComparison.Ordinal) || rest[i].Length == 2)
            {
                throw new ArgumentException($"unexpected argument '{rest[i]}' for '{verb}'");
            }
            var equals = rest[i].IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? rest[i][2..] : rest[i][2..equals];
            var inline = equals < 0 ? null : rest[i][(equals + 1)..];
            if (!allowed.Any(a => a.Name == name))
            {
                throw new ArgumentException($"unknown option --{name} for '{verb}' (it takes {string.Join(", ", allowed.Select(a => $"--{a.Name}"))})");
            }
            if (map.ContainsKey(name))
            {
                throw new ArgumentException($"--{name}: given more than once");
            }
            if (!allowed.Single(a => a.Name == name).TakesValue)
            {
                map[name] = inline is null ? "true" : throw new ArgumentException($"--{name}: takes no value");
                continue;
            }
            var value = inline ?? (i + 1 < rest.Length && !rest[i + 1].StartsWith("--", StringComparison.Ordinal) ? rest[++i] : null);
            map[name] = string.IsNullOrEmpty(value) ? throw new ArgumentException($"--{name}: needs a value") : value;
        }
        return map;
    }

    /// <summary>The organization id given with <c>--org</c>, if any.</summary>
    private static Guid? OrganizationId(Dictionary<string, string> o) =>
        !o.TryGetValue("org", out var org) ? null
        : Guid.TryParse(org, out var id) ? id
        : throw new ArgumentException($"--org: '{org}' is not an organization id (a GUID)");

    private static async Task<int> StatusAsync(IServiceProvider services)
    {
        var engine = services.GetRequiredService<SubscriptionEngine>();
        foreach (var s in await engine.StatusAsync())
        {
            Console.WriteLine($"{s.Name,-32} checkpoint {s.Checkpoint,-20} behind {s.EventsBehind,10}  parked {s.Parked,6}  updated {s.UpdatedAt?.ToString("O") ?? "never"}");
        }
        return 0;
    }

    /// <summary>Events a projection failed on repeatedly and stepped over; a rebuild (after the fix) replays them.</summary>
    private static async Task<int> ParkedAsync(IServiceProvider services, string? name)
    {
        var engine = services.GetRequiredService<SubscriptionEngine>();
        if (name is not null)
        {
            engine.Get(name); // an unknown name is an error, not an empty list
        }
        var parked = await engine.ParkedAsync(name);
        foreach (var p in parked)
        {
            Console.WriteLine($"{p.Subscription,-24} {p.Position,-20} {p.EventType,-40} event {p.EventId} org {p.TenantId} stream {p.StreamId} attempts {p.Attempts} parked {p.ParkedAt:O}");
            Console.WriteLine($"    {p.Error.ReplaceLineEndings(" ")}");
        }
        Console.WriteLine(parked.Count == 0 ? "no parked events" : $"{parked.Count} parked event(s); after fixing the cause, replay them with: projections rebuild <name>");
        return 0;
    }

    private static async Task<int> RebuildAsync(IServiceProvider services, string name)
    {
        var engine = services.GetRequiredService<SubscriptionEngine>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var lastPrint = TimeSpan.Zero;
        var progress = new Progress(p =>
        {
            if (started.Elapsed - lastPrint > TimeSpan.FromSeconds(1) || p.Processed == p.Total)
            {
                lastPrint = started.Elapsed;
                Console.WriteLine($"rebuild {p.Name}: {p.Processed}/{p.Total} events ({(p.Total == 0 ? 100 : 100.0 * p.Processed / p.Total):F0}%), {p.Processed / Math.Max(0.001, started.Elapsed.TotalSeconds):F0} events/s");
            }
        });
        var processed = await engine.RebuildAsync(name, progress, TimeSpan.FromSeconds(30));
        Console.WriteLine($"rebuilt {name}: {processed} events in {started.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static async Task<int> VerifyAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var store = services.GetRequiredService<IEventStore>();
        var targets = new List<(Guid Tenant, string Stream)>();
        if (o.ContainsKey("all"))
        {
            if (o.ContainsKey("stream") || o.ContainsKey("org"))
            {
                throw new ArgumentException("--all verifies every stream: leave out --org and --stream, or --all");
            }
            await using var cmd = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT tenant_id, id FROM oos.streams WHERE version > 0 ORDER BY tenant_id, id");
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                targets.Add((r.GetGuid(0), r.GetString(1)));
            }
        }
        else
        {
            var stream = Required(o, "stream");
            var tenant = await OrganizationOfAsync(services, o, stream);
            // A stream that is not there has no chain to verify: not found, never "1 valid".
            _ = await store.GetStreamAsync(tenant, stream) ?? throw new KeyNotFoundException($"stream '{stream}' not found in organization {tenant}");
            targets.Add((tenant, stream));
        }
        var broken = 0;
        for (var i = 0; i < targets.Count; i++)
        {
            var (tenant, stream) = targets[i];
            var v = await store.VerifyAsync(tenant, stream);
            if (!v.Valid)
            {
                broken++;
                Console.WriteLine($"BROKEN {tenant} {stream}: first broken version {v.FirstBrokenVersion}: {v.Reason}");
            }
            if ((i + 1) % 1000 == 0)
            {
                Console.WriteLine($"verified {i + 1}/{targets.Count} streams");
            }
        }
        Console.WriteLine($"verified {targets.Count} streams: {targets.Count - broken} valid, {broken} broken");
        return broken == 0 ? 0 : 1;
    }

    private static async Task<int> ExportAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var store = services.GetRequiredService<IEventStore>();
        var stream = Required(o, "stream");
        var output = Required(o, "out");
        var tenant = await OrganizationOfAsync(services, o, stream);
        var verified = await store.ReadVerifiedAsync(tenant, stream)
            ?? throw new KeyNotFoundException($"stream '{stream}' not found in organization {tenant}");
        var (info, events, verification) = verified;
        var export = new
        {
            exported_at = DateTimeOffset.UtcNow,
            organization_id = tenant,
            stream = info,
            verification,
            events = events.Select(AuditEndpoints.ToAudit).ToList(),
            // Rebuilt from the exported events only, with the same folds the live read models use.
            read_models = ReadModelReplay.Rebuild(verified),
        };
        // Written beside the target under another name, then renamed over it: a failed export leaves no partial file.
        var target = Path.GetFullPath(output);
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"--out: '{output}' is not a file path");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(file, export, new JsonSerializerOptions(OutreachJson.Options) { WriteIndented = true });
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync(e is DirectoryNotFoundException
                ? $"error: --out: cannot write {target}: there is no directory {directory}"
                : $"error: --out: cannot write {target}: {e.Message}");
            return 2;
        }
        finally
        {
            DeleteIfLeft(temporary); // gone after the rename; left by a failed write or rename
        }
        Console.WriteLine($"exported {events.Count} events of {stream} to {output} (chain {(verification.Valid ? "valid" : "BROKEN")})");
        return verification.Valid ? 0 : 1;
    }

    /// <summary>The organization named by --org, or the only one that has a stream with this id.</summary>
    private static async Task<Guid> OrganizationOfAsync(IServiceProvider services, Dictionary<string, string> o, string stream)
    {
        if (OrganizationId(o) is { } org)
        {
            return org;
        }
        await using var cmd = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT tenant_id FROM oos.streams WHERE id = @id LIMIT 2");
        cmd.Parameters.AddWithValue("id", stream);
        var tenants = new List<Guid>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                tenants.Add(r.GetGuid(0));
            }
        }
        return tenants switch
        {
            [var only] => only,
            [] => throw new KeyNotFoundException($"stream '{stream}' not found"),
            _ => throw new ArgumentException($"several organizations have a stream '{stream}': pass --org"),
        };
    }

    private static void DeleteIfLeft(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Its directory is missing (nothing was written) or not writable (nothing could be).
        }
    }

    private static string Required(Dictionary<string, string> o, string key) =>
        o.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required");

    private sealed class Progress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
