namespace OutreachOS.GraphQL.Tests.Schemas;

internal sealed record Lead(string Id, DateTimeOffset CreatedAt, string Email, string Status, decimal? Score, List<string> Tags);

internal sealed record Company(string Id, string Name);

internal sealed record TestOrg(string OrganizationId);

/// <summary>A schema using every builder feature a host needs; Python/showcase.graphql is the same schema in SDL.</summary>
internal static class ShowcaseSchema
{
    public static List<Lead> Leads { get; } = Enumerable.Range(1, 5)
        .Select(i => new Lead($"L{i}", new DateTimeOffset(2026, 1, i, 8, 30, 0, TimeSpan.Zero), $"lead{i}@example.com",
            i % 2 == 0 ? "CONTACTED" : "NEW", i * 1.25m, []))
        .ToList();

    public static GraphQLSchema Build(List<string>? mutationLog = null) => new SchemaBuilder()
        .Description("OutreachOS read side (test showcase).")
        .Directive("cached", [DirectiveLocation.FIELD, DirectiveLocation.FRAGMENT_SPREAD], d => d
            .Description("Caches a field result.").Repeatable().Argument("ttl", "Int", a => a.Default(60)))
        .Scalar(Scalars.DateTime)
        .Interface("Node", t => t.Field("id", "ID!"))
        .Interface("Entity", t => t.Implements("Node").Field("id", "ID!").Field("createdAt", "DateTime!"))
        .Enum("LeadStatus", e => e.Value("NEW").Value("CONTACTED").Value("QUALIFIED", deprecationReason: "Use CONTACTED").Value("LOST"))
        .Object<Lead>("Lead", t => t
            .Description("A sales lead.")
            .Implements("Node", "Entity")
            .Field("id", "ID!")
            .Field("createdAt", "DateTime!")
            .Field("email", "String!", f => f.Description("Where replies go."))
            .Field("status", "LeadStatus!")
            .Field("score", "Decimal")
            .Field("legacyScore", "Float", l => (double?)l.Score, f => f.Deprecated("Use score."))
            .Field("tags", "[String!]!", ctx => new ValueTask<object?>(ctx.Source.Tags
                    .Where(x => x.StartsWith(ctx.Argument<string>("prefix"), StringComparison.Ordinal))
                    .Take(ctx.Argument<int>("limit"))),
                f => f.Argument("limit", "Int", a => a.Default(3))
                    .Argument("prefix", "String", a => a.Default("x\"y"))
                    .Argument("oldFilter", "String", a => a.Deprecated("Unused"))))
        .Object<Company>("Company", t => t.Implements("Node").Field("id", "ID!").Field("name", "String!"))
        .Union("SearchResult", u => u.Types("Lead", "Company"))
        .InputObject("LeadFilter", t => t
            .Field("status", "[LeadStatus!]", a => a.Default(new List<object?> { "NEW", "CONTACTED" }))
            .Field("minScore", "Decimal", a => a.Default(1.5m))
            .Field("since", "DateTime")
            .Field("legacy", "Boolean", a => a.Deprecated("No longer used."))
            .Field("nested", "PageInput", a => a.Default(new Dictionary<string, object?> { ["size"] = 10 })))
        .InputObject("PageInput", t => t.Field("size", "Int!", a => a.Default(20)))
        .Query(t => t
            .Connection<object, Lead>("leads", "Lead", ctx =>
            {
                var filter = ctx.Argument<Dictionary<string, object?>>("filter");
                var statuses = (filter["status"] as IEnumerable<object?>)?.Cast<string>().ToList();
                IReadOnlyList<Lead> result = Leads.Where(l => statuses is null || statuses.Contains(l.Status))
                    .OrderByDescending(l => l.CreatedAt).ToList();
                return new ValueTask<IReadOnlyList<Lead>>(result);
            }, maxPageSize: 3, f => f
                .Description("Leads of the caller's organization, newest first.")
                .Argument("filter", "LeadFilter", a => a.Default(new Dictionary<string, object?> { ["status"] = new List<object?> { "NEW" } })))
            .Field("search", "[SearchResult!]!", ctx => new ValueTask<object?>(new object[]
                {
                    Leads[0], new Company("C1", "Acme " + ctx.Argument<string>("term")),
                }), f => f.Argument("term", "String!"))
            .Field("node", "Node", ctx => new ValueTask<object?>(Leads.FirstOrDefault(l => l.Id == ctx.Argument<string>("id"))),
                f => f.Argument("id", "ID!"))
            .Field("organization", "String", ctx => new ValueTask<object?>((ctx.Context as TestOrg)?.OrganizationId)))
        .Mutation(t => t.Field("tagLead", "Lead", async ctx =>
        {
            var tag = ctx.Argument<string>("tag");
            await Task.Delay(tag.Length % 3, ctx.CancellationToken); // interleave if mutations were concurrent
            lock (mutationLog ?? [])
            {
                mutationLog?.Add(tag);
            }

            var lead = Leads.First(l => l.Id == ctx.Argument<string>("id"));
            return lead with { Tags = [.. lead.Tags, tag] };
        }, f => f.Argument("id", "ID!").Argument("tag", "String!")))
        .Build();
}
