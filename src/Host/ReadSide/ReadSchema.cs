using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Credits.Contracts;
using OutreachOS.GraphQL;
using OutreachOS.Host.Hosting;
using OutreachOS.Host.Organizations;

namespace OutreachOS.Host.ReadSide;

/// <summary>The caller (its organization and key), passed to every resolver: every GraphQL read is scoped by its organization.</summary>
internal sealed record GraphQLRequestContext(Caller Caller, IServiceProvider Services)
{
    public Guid OrganizationId => Caller.TenantId;
}

/// <summary>The key the request was made with: what it may do (ADR 0022, 0025).</summary>
internal sealed record ApiKeyNode(string Id, string Role);

internal sealed record AuditEventNode(long Version, string EventId, string Type, DateTimeOffset CreatedAt, string Hash, string Data);

/// <param name="OrganizationId">Whose stream it is: the page of <c>events</c> is read for it.</param>
internal sealed record AuditStreamNode(Guid OrganizationId, string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, bool Valid,
    int EventsErased, int? FirstBrokenVersion, string? Reason);

internal sealed record CreditsNode(string Tier, string Period, int Allowance, int Consumed, int Reserved, int Available, string Alert);

/// <summary>
/// The read side's first GraphQL schema (own executor, ADR 0004): the organization, its streams, a stream's audit view
/// with hash-chain verification, and credits. Analytics KPIs join here as their projections land (issue 5).
/// </summary>
internal static partial class ReadSchema
{
    public static GraphQLSchema Build() => new SchemaBuilder()
        .Description("OutreachOS read side. Every field is scoped to the API key's organization.")
        .Object<OrganizationView>("Organization", t => t
            .Field("id", "ID!", o => o.Id.ToString())
            .Field("name", "String!")
            .Field("tier", "String!", o => o.Tier.ToString().ToUpperInvariant())
            .Field("isPlatformAdmin", "Boolean!")
            .Field("createdAt", "DateTime!"))
        .Object<StreamInfo>("Stream", t => t
            .Description("An event stream (one aggregate: a request, a ledger period, a policy...).")
            .Field("streamId", "String!")
            .Field("streamType", "String!")
            .Field("version", "Int!", s => (int)Math.Min(int.MaxValue, s.Version))
            .Field("createdAt", "DateTime!")
            .Field("updatedAt", "DateTime!"))
        .Object<AuditEventNode>("AuditEvent", t => t
            .Field("version", "Int!", e => (int)e.Version)
            .Field("eventId", "ID!")
            .Field("type", "String!")
            .Field("createdAt", "DateTime!")
            .Field("hash", "String!", f => f.Description("SHA-256 of the previous hash and this event's canonical bytes (hex)."))
            .Field("data", "String!", f => f.Description("The event payload as JSON text.")))
        .Object<AuditStreamNode>("AuditStream", t => t
            .Field("streamId", "String!")
            .Field("streamType", "String!")
            .Field("version", "Int!", s => (int)s.Version)
            .Field("createdAt", "DateTime!")
            .Field("valid", "Boolean!", f => f.Description("Whether the hash chain re-computes."))
            .Field("eventsErased", "Int!", f => f.Description("Events whose personal data was erased: their links are taken from the recorded erasure (ADR 0030)."))
            .Field("firstBrokenVersion", "Int")
            .Field("reason", "String")
            // Paged by version: most streams hold a few dozen events, a ledger month or a long thread thousands. A page is
            // at most 1,000 (the size the query cost counts), which keeps the dashboard's audit view (about 6,000) well
            // within the limit and a handful of aliased streams over it. More follow when the page's last version is
            // below the stream's `version`.
            .Field("events", "[AuditEvent!]!", EventsPageAsync, f => f
                .Description("The stream's events in version order, after `afterVersion` (0: from the start), at most `first` (1-1000).")
                .Argument("first", "Int", a => a.Default(AuditEventsListSize))
                .Argument("afterVersion", "Int", a => a.Default(0))
                .ListSize(AuditEventsListSize)))
        .Object<CreditsNode>("Credits", t => t
            .Field("tier", "String!")
            .Field("period", "String!")
            .Field("allowance", "Int!")
            .Field("consumed", "Int!")
            .Field("reserved", "Int!")
            .Field("available", "Int!")
            .Field("alert", "String!"))
        .Object<InboundKpis>("InboundKpis", t => t
            .Description("Inbound triage KPIs over [from, to) in whole UTC days. Rates are null when their denominator is 0.")
            .Field("received", "Int!")
            .Field("filtered", "Int!")
            .Field("autoSent", "Int!")
            .Field("drafted", "Int!", f => f.Description("Drafts for review (including AUTO_SEND drafts downgraded to review)."))
            .Field("approvedUnchanged", "Int!")
            .Field("approvedEdited", "Int!")
            .Field("rejected", "Int!")
            .Field("human", "Int!")
            .Field("autoRate", "Float", f => f.Description("autoSent / (received - filtered)."))
            .Field("approveRate", "Float", f => f.Description("approved / (approved + rejected)."))
            .Field("revertRate", "Float", f => f.Description("approvedEdited / approved."))
            .Field("humanCorrectionRate", "Float", f => f.Description("(approvedEdited + rejected) / drafted."))
            .Field("qaSampled", "Int!")
            .Field("qaCorrect", "Int!")
            .Field("qaVerdicts", "Int!", f => f.Description("QA verdicts given: the sample size of autoSendPrecision."))
            .Field("autoSendPrecision", "Float", f => f.Description("qaCorrect / qaVerdicts."))
            .Field("costUsd", "Decimal!")
            .Field("days", "[InboundDay!]!", f => f.ListSize(KpiRange.MaxDays)))
        .Object<InboundDay>("InboundDay", t => t
            .Field("day", "String!")
            .Field("received", "Int!")
            .Field("filtered", "Int!")
            .Field("autoSent", "Int!")
            .Field("drafted", "Int!")
            .Field("human", "Int!")
            .Field("approved", "Int!")
            .Field("rejected", "Int!"))
        .Object<OutboundKpis>("OutboundKpis", t => t
            .Description("Outbound personalization KPIs over [from, to) in whole UTC days.")
            .Field("requests", "Int!")
            .Field("variants", "Int!")
            .Field("firstPassRate", "Float", f => f.Description("Variants passing the guardrails on the first model call / variants checked then."))
            .Field("retries", "Int!")
            .Field("selections", "Int!")
            .Field("overrides", "Int!")
            .Field("sends", "Int!")
            .Field("replies", "Int!")
            .Field("replyRate", "Float", f => f.Description("replies / sends."))
            .Field("meetingsBooked", "Int!")
            .Field("costUsd", "Decimal!")
            .Field("days", "[OutboundDay!]!", f => f.ListSize(KpiRange.MaxDays)))
        .Object<OutboundDay>("OutboundDay", t => t
            .Field("day", "String!")
            .Field("requests", "Int!")
            .Field("variants", "Int!")
            .Field("firstPassPassed", "Int!")
            .Field("firstPassChecked", "Int!")
            .Field("sends", "Int!")
            .Field("replies", "Int!"))
        .Object<CreditsDay>("CreditsDay", t => t
            .Field("day", "String!")
            .Field("consumed", "Int!")
            .Field("balance", "Int!", f => f.Description("Allowance minus credits consumed in the month up to the end of the day."))
            .Field("allowance", "Int!")
            .Field("alerts", "[String!]!"))
        .Object<ModelCost>("ModelCost", t => t
            .Field("day", "String!")
            .Field("module", "String!")
            .Field("model", "String!")
            .Field("calls", "Int!")
            .Field("costUsd", "Decimal!")
            .Field("latencyP50Ms", "Float", f => f.Description("From log-scale buckets: within 4.4% of the exact value."))
            .Field("latencyP95Ms", "Float"))
        .Object<StageLatency>("StageLatency", t => t
            .Field("stage", "String!")
            .Field("count", "Int!")
            .Field("p50Ms", "Float", f => f.Description("From log-scale buckets: within 4.4% of the exact value."))
            .Field("p95Ms", "Float"))
        .Object<ApiKeyNode>("ApiKey", t => t
            .Field("id", "ID!")
            .Field("role", "String!", f => f.Description("ADMIN (everything), MEMBER (the work, no settings) or VIEWER (reads only).")))
        .Query(t => t
            .Field("apiKey", "ApiKey!", ctx =>
            {
                var caller = ctx.GetContext<GraphQLRequestContext>().Caller;
                return new ValueTask<object?>(new ApiKeyNode(caller.ApiKeyId.ToString(), caller.Role));
            }, f => f.Description("The API key of this request."))
            .Field("organization", "Organization", async ctx =>
            {
                var c = ctx.GetContext<GraphQLRequestContext>();
                return await c.Services.GetRequiredService<OrganizationService>().GetAsync(c.OrganizationId, ctx.CancellationToken);
            })
            .Connection<object, StreamInfo>("streams", "Stream", async (ctx, args) =>
            {
                // Paged in the database by keys: offsets repeated a stream on the next page whenever a new one was created
                // in between (the list runs newest first), and a deep page cost every row before it.
                var c = ctx.GetContext<GraphQLRequestContext>();
                var store = c.Services.GetRequiredService<IEventStore>();
                var (type, from, to) = (TextArgument(ctx, "type"), ctx.Argument<DateTimeOffset?>("from"), ctx.Argument<DateTimeOffset?>("to"));
                StreamListKey? after = StreamListKey.TryParseCursor(args.After, out var a) ? a : null;
                StreamListKey? before = StreamListKey.TryParseCursor(args.Before, out var b) ? b : null;
                var total = await store.CountStreamsAsync(c.OrganizationId, type, from, to, ctx.CancellationToken);
                return await Connections.ByKeysAsync(args, total,
                    async (limit, fromEnd) => await store.ListStreamsPageAsync(c.OrganizationId, type, from, to, after, before, limit, fromEnd,
                        ctx.CancellationToken),
                    s => StreamListKey.Of(s).ToCursor());
            }, maxPageSize: 100, f => f
                .Argument("type", "String")
                .Argument("from", "DateTime")
                .Argument("to", "DateTime"), isCursor: cursor => StreamListKey.TryParseCursor(cursor, out _))
            .Field("auditStream", "AuditStream", async ctx =>
            {
                var c = ctx.GetContext<GraphQLRequestContext>();
                var store = c.Services.GetRequiredService<IEventStore>();
                var streamId = TextArgument(ctx, "streamId")!;
                // The header and the whole chain's verification, no events kept: `events` reads its own page.
                var stream = await store.ReadVerifiedAsync(c.OrganizationId, streamId, 0, 0, ctx.CancellationToken);
                if (stream is null)
                {
                    return null; // another organization's stream looks exactly like a missing one
                }
                var (info, _, check) = stream;
                return new AuditStreamNode(c.OrganizationId, info.StreamId, info.StreamType, info.Version, info.CreatedAt, check.Valid,
                    (int)check.EventsErased, check.FirstBrokenVersion is { } v ? (int)v : null, check.Reason);
            }, f => f.Argument("streamId", "String!"))
            .Field("credits", "Credits!", async ctx =>
            {
                var c = ctx.GetContext<GraphQLRequestContext>();
                var b = await c.Services.GetRequiredService<ICreditLedger>().GetBalanceAsync(c.OrganizationId, ctx.CancellationToken);
                return new CreditsNode(b.Tier, b.Period, b.Allowance, b.Consumed, b.Reserved, b.Available, b.Alert.ToString().ToUpperInvariant());
            })
            .Field("inboundKpis", "InboundKpis!", ctx => Kpis(ctx, (q, org, range, ct) => q.InboundAsync(org, range, TextArgument(ctx, "intent"), ct)),
                f => RangeArguments(f).Argument("intent", "String"))
            .Field("outboundKpis", "OutboundKpis!", ctx => Kpis(ctx, (q, org, range, ct) => q.OutboundAsync(org, range, TextArgument(ctx, "channel"), ct)),
                f => RangeArguments(f).Argument("channel", "String"))
            .Field("creditsTrend", "[CreditsDay!]!", ctx => Kpis(ctx, (q, org, range, ct) => q.CreditsTrendAsync(org, range, ct)),
                f => RangeArguments(f).ListSize(KpiRange.MaxDays))
            // One row per day, module and model: a few models a day over the longest range.
            .Field("costByModel", "[ModelCost!]!", ctx => Kpis(ctx, (q, org, range, ct) => q.CostByModelAsync(org, range, ct)),
                f => RangeArguments(f).ListSize(CostByModelListSize))
            .Field("stageLatency", "[StageLatency!]!", ctx => Kpis(ctx, (q, org, range, ct) => q.StageLatencyAsync(org, range, ct)),
                f => RangeArguments(f).ListSize(KpiStages.All.Count)))
        .Build();

    /// <summary>The list size the query cost assumes for <c>AuditStream.events</c> (see <see cref="GraphQL.FieldBuilder{TSource}.ListSize"/>).</summary>
    internal const int AuditEventsListSize = Audit.AuditEndpoints.MaxEventsPerPage;

    internal const int CostByModelListSize = 1000;

    /// <summary>A string argument that goes to the database: control characters (NUL above all, refused by PostgreSQL
    /// with an error) are bad input naming the argument, not "Unexpected error.".</summary>
    private static string? TextArgument(ResolveContext<object> ctx, string name)
    {
        var value = ctx.Argument<string?>(name);
        return TextInput.HasControlCharacters(value)
            ? throw new GraphQLException($"Argument \"{name}\" must not contain control characters.",
                new Dictionary<string, object?> { ["code"] = "BAD_USER_INPUT", ["argument"] = name })
            : value;
    }

    private static async ValueTask<object?> EventsPageAsync(ResolveContext<AuditStreamNode> ctx)
    {
        var first = ctx.Argument<int?>("first") ?? AuditEventsListSize;
        var after = ctx.Argument<int?>("afterVersion") ?? 0;
        if (first is < 1 or > AuditEventsListSize)
        {
            throw BadArgument("first", $"Argument \"first\" must be from 1 to {AuditEventsListSize}.");
        }
        if (after < 0)
        {
            throw BadArgument("afterVersion", "Argument \"afterVersion\" must not be negative.");
        }
        var store = ctx.GetContext<GraphQLRequestContext>().Services.GetRequiredService<IEventStore>();
        // The parent (auditStream) verified the whole chain up to its version in this request; the page reads only its own
        // events, up to that version, so what is listed is what was verified (appends after it wait for the next query).
        var page = await store.ReadStreamPageAsync(ctx.Source.OrganizationId, ctx.Source.StreamId, after, ctx.Source.Version, first, ctx.CancellationToken);
        return page.Select(e => new AuditEventNode(e.Version, e.EventId.ToString(), e.EventType, e.CreatedAt, e.HashHex, e.Json)).ToList();
    }

    private static GraphQLException BadArgument(string name, string message) =>
        new(message, new Dictionary<string, object?> { ["code"] = "BAD_USER_INPUT", ["argument"] = name });

    private static FieldBuilder<object> RangeArguments(FieldBuilder<object> f) => f
        .Description("Range [from, to) applied to whole UTC days; at most 366 days.")
        .Argument("from", "DateTime!")
        .Argument("to", "DateTime!");

    /// <summary>Validates the range (a clear GraphQL error naming the argument) and runs a KPI query for the caller's organization.</summary>
    private static async ValueTask<object?> Kpis<T>(ResolveContext<object> ctx, Func<IKpiQueries, Guid, KpiRange, CancellationToken, Task<T>> query)
    {
        var c = ctx.GetContext<GraphQLRequestContext>();
        KpiRange range;
        try
        {
            range = KpiRange.Create(ctx.Argument<DateTimeOffset>("from"), ctx.Argument<DateTimeOffset>("to"));
        }
        catch (KpiRangeException e)
        {
            throw new GraphQLException(e.Message, new Dictionary<string, object?> { ["code"] = "BAD_USER_INPUT", ["argument"] = e.Field });
        }
        return await query(c.Services.GetRequiredService<IKpiQueries>(), c.OrganizationId, range, ctx.CancellationToken);
    }

    /// <summary>The limits of <c>/graphql</c> from configuration (section <c>GraphQL</c>; 0 turns a limit off):
    /// <c>MaxDepth</c> 12, <c>MaxComplexity</c> 20,000 (estimated answer fields, lists counted at their size),
    /// <c>MaxRootFields</c> 20, <c>DefaultListSize</c> 10 (ADR 0004).</summary>
    internal static ExecutionOptions ExecutionOptionsFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("GraphQL");
        return new ExecutionOptions
        {
            MaxDepth = Limit("MaxDepth", 12),
            MaxComplexity = Limit("MaxComplexity", 20_000),
            MaxRootFields = Limit("MaxRootFields", 20),
            DefaultListSize = section.GetValue("DefaultListSize", 10),
        };

        int? Limit(string key, int defaultValue) => section.GetValue(key, defaultValue) is > 0 and var value ? value : null;
    }

    public static void MapReadGraphQL(this IEndpointRouteBuilder app)
    {
        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReadSchema));
        var configuration = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var limits = ExecutionOptionsFrom(configuration);
        app.MapGraphQL("/graphql", Build(), o =>
        {
            o.ContextFactory = http => new ValueTask<object?>(new GraphQLRequestContext(http.GetCaller(), http.RequestServices));
            o.MaxRequestBodyBytes = RequestSizeLimit.MaxBytes(configuration);
            o.Execution = limits with
            {
                // The client only sees "Unexpected error." (internals must not leak), so the log is the only place the
                // exception itself is kept; without it a failing resolver is invisible to operators.
                OnResolverException = (exception, error) =>
                {
                    if (exception is not GraphQLException) // those are deliberate answers to the client (bad input), not faults
                    {
                        ResolverFailed(logger, string.Join('.', error.Path ?? []), error.Message, exception);
                    }
                },
            };
        }).RequireAuthorization().ChangesNothing(); // the schema has no mutations: a VIEWER key may POST its queries
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "GraphQL resolver failed at {Path}; the client was answered \"{ClientMessage}\"")]
    private static partial void ResolverFailed(ILogger logger, string path, string clientMessage, Exception exception);
}
