using System.Text.Json;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

public sealed class IntrospectionTests
{
    private static async Task<JsonElement> Data(string query)
    {
        var result = await GraphQLExecutor.ExecuteAsync(ShowcaseSchema.Build(), new GraphQLRequest(query));
        Assert.Empty(result.Errors);
        return JsonDocument.Parse(result.ToJson()).RootElement.GetProperty("data");
    }

    [Fact]
    public async Task Schema_description_root_types_and_directives_are_exposed()
    {
        var d = await Data("{ __schema { description queryType { name } mutationType { name } subscriptionType { name } directives { name isRepeatable locations } } }");

        var schema = d.GetProperty("__schema");
        Assert.Equal("OutreachOS read side (test showcase).", schema.GetProperty("description").GetString());
        Assert.Equal("Mutation", schema.GetProperty("mutationType").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, schema.GetProperty("subscriptionType").ValueKind);
        var cached = schema.GetProperty("directives").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "cached");
        Assert.True(cached.GetProperty("isRepeatable").GetBoolean());
        Assert.Equal("""["FIELD","FRAGMENT_SPREAD"]""", JsonSerializer.Serialize(cached.GetProperty("locations")));
    }

    [Fact]
    public async Task Deprecated_fields_args_and_input_fields_are_hidden_unless_requested()
    {
        var d = await Data("""
            {
              lead: __type(name: "Lead") {
                visible: fields { name }
                all: fields(includeDeprecated: true) { name isDeprecated deprecationReason args(includeDeprecated: true) { name isDeprecated deprecationReason defaultValue } }
              }
              filter: __type(name: "LeadFilter") {
                inputFields { name }
                allInputs: inputFields(includeDeprecated: true) { name isDeprecated defaultValue }
              }
              status: __type(name: "LeadStatus") { enumValues { name } all: enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } }
            }
            """);

        var lead = d.GetProperty("lead");
        Assert.DoesNotContain("legacyScore", lead.GetProperty("visible").GetRawText(), StringComparison.Ordinal);
        var legacy = lead.GetProperty("all").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "legacyScore");
        Assert.Equal("Use score.", legacy.GetProperty("deprecationReason").GetString());
        var tags = lead.GetProperty("all").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "tags");
        Assert.Equal("""[{"name":"limit","isDeprecated":false,"deprecationReason":null,"defaultValue":"3"},{"name":"prefix","isDeprecated":false,"deprecationReason":null,"defaultValue":"\u0022x\\\u0022y\u0022"},{"name":"oldFilter","isDeprecated":true,"deprecationReason":"Unused","defaultValue":null}]""",
            JsonSerializer.Serialize(tags.GetProperty("args")));
        Assert.DoesNotContain("legacy", d.GetProperty("filter").GetProperty("inputFields").GetRawText(), StringComparison.Ordinal);
        var allInputs = d.GetProperty("filter").GetProperty("allInputs").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!);
        Assert.True(allInputs["legacy"].GetProperty("isDeprecated").GetBoolean());
        Assert.Equal("[NEW, CONTACTED]", allInputs["status"].GetProperty("defaultValue").GetString());
        Assert.Equal("{size: 10}", allInputs["nested"].GetProperty("defaultValue").GetString());
        Assert.Equal(3, d.GetProperty("status").GetProperty("enumValues").GetArrayLength());
        Assert.Equal(4, d.GetProperty("status").GetProperty("all").GetArrayLength());
    }

    [Fact]
    public async Task Scalars_expose_specifiedByURL_and_wrappers_expose_deep_ofType()
    {
        var d = await Data("""
            {
              dt: __type(name: "DateTime") { kind specifiedByURL }
              conn: __type(name: "LeadConnection") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
              node: __type(name: "Node") { kind possibleTypes { name } }
              entity: __type(name: "Entity") { interfaces { name } }
              missing: __type(name: "Nope") { name }
            }
            """);

        Assert.Equal("https://scalars.graphql.org/andimarek/date-time", d.GetProperty("dt").GetProperty("specifiedByURL").GetString());
        var edges = d.GetProperty("conn").GetProperty("fields")[0].GetProperty("type");
        Assert.Equal("""{"kind":"NON_NULL","name":null,"ofType":{"kind":"LIST","name":null,"ofType":{"kind":"NON_NULL","name":null,"ofType":{"kind":"OBJECT","name":"LeadEdge"}}}}""",
            JsonSerializer.Serialize(edges));
        Assert.Equal("""[{"name":"Lead"},{"name":"Company"}]""", JsonSerializer.Serialize(d.GetProperty("node").GetProperty("possibleTypes")));
        Assert.Equal("""[{"name":"Node"}]""", JsonSerializer.Serialize(d.GetProperty("entity").GetProperty("interfaces")));
        Assert.Equal(JsonValueKind.Null, d.GetProperty("missing").ValueKind);
    }

    [Fact]
    public async Task Typename_is_available_on_every_composite_type_including_the_root()
    {
        var d = await Data("{ __typename search(term: \"a\") { __typename } }");

        Assert.Equal("Query", d.GetProperty("__typename").GetString());
        Assert.Equal("Lead", d.GetProperty("search")[0].GetProperty("__typename").GetString());
    }
}
