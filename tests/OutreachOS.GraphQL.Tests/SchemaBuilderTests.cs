namespace OutreachOS.GraphQL.Tests;

public sealed class SchemaBuilderTests
{
    private enum LeadStage
    {
        NewLead,
        [Obsolete("Merged into NewLead")]
        Fresh,
        Won,
    }

    [Fact]
    public void Invalid_schemas_are_rejected_with_every_problem_listed()
    {
        var e = Assert.Throws<SchemaException>(() => new SchemaBuilder()
            .Interface("Named", t => t.Field("name", "String!"))
            .Object("Thing", t => t.Implements("Named").Field("name", "Int").Field("other", "Missing"))
            .Query(t => t.Field("thing", "Thing", f => f.Argument("bad", "Thing")))
            .Build());

        Assert.Contains("Interface field Named.name expects type String! but Thing.name is type Int.", e.Errors);
        Assert.Contains("Thing.other: unknown type \"Missing\".", e.Errors);
        Assert.Contains("The type of Query.thing(bad:) must be Input Type but got: Thing.", e.Errors);
    }

    [Fact]
    public void Clr_enums_map_to_constant_case_values_with_obsolete_as_deprecation()
    {
        var schema = new SchemaBuilder()
            .Enum<LeadStage>()
            .Query(t => t.Field("stage", "LeadStage", _ => LeadStage.Won))
            .Build();

        var type = (EnumType)schema.GetType("LeadStage")!;
        Assert.Equal(["NEW_LEAD", "FRESH", "WON"], type.Values.Select(v => v.Name));
        Assert.Equal("Merged into NewLead", type.Values[1].DeprecationReason);
    }

    [Fact]
    public async Task Default_resolvers_read_record_properties_and_dictionary_keys()
    {
        var schema = new SchemaBuilder()
            .Object("Row", t => t.Field("firstName", "String").Field("count", "Int"))
            .Query(t => t
                .Field("record", "Row", _ => new { FirstName = "Ada", Count = 3 })
                .Field("dict", "Row", _ => new Dictionary<string, object?> { ["firstName"] = "Grace", ["count"] = 4 }))
            .Build();

        var result = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest("{ record { firstName count } dict { firstName count } }"));

        Assert.Equal("""{"data":{"record":{"firstName":"Ada","count":3},"dict":{"firstName":"Grace","count":4}}}""", result.ToJson());
    }

    [Fact]
    public void Unused_custom_scalars_are_not_in_the_type_map_but_referenced_ones_are()
    {
        var schema = new SchemaBuilder().Query(t => t.Field("at", "DateTime")).Build();

        Assert.NotNull(schema.GetType("DateTime"));
        Assert.Null(schema.GetType("Decimal"));
        Assert.Null(schema.GetType("Int"));
    }
}
