namespace OutreachOS.GraphQL.Tests.Schemas;

internal sealed record Human(string Id, string Name, string[] Friends, int[] AppearsIn, string? HomePlanet);

internal sealed record Droid(string Id, string Name, string[] Friends, int[] AppearsIn, string PrimaryFunction);

/// <summary>The graphql-js Star Wars example; Python/starwars.graphql + conformance.py define the same schema and data.</summary>
internal static class StarWarsSchema
{
    public static readonly IReadOnlyDictionary<string, Human> Humans = new Dictionary<string, Human>
    {
        ["1000"] = new("1000", "Luke Skywalker", ["1002", "1003", "2000", "2001"], [4, 5, 6], "Tatooine"),
        ["1001"] = new("1001", "Darth Vader", ["1004"], [4, 5, 6], "Tatooine"),
        ["1002"] = new("1002", "Han Solo", ["1000", "1003", "2001"], [4, 5, 6], null),
        ["1003"] = new("1003", "Leia Organa", ["1000", "1002", "2000", "2001"], [4, 5, 6], "Alderaan"),
        ["1004"] = new("1004", "Wilhuff Tarkin", ["1001"], [4], null),
    };

    public static readonly IReadOnlyDictionary<string, Droid> Droids = new Dictionary<string, Droid>
    {
        ["2000"] = new("2000", "C-3PO", ["1000", "1002", "1003", "2001"], [4, 5, 6], "Protocol"),
        ["2001"] = new("2001", "R2-D2", ["1000", "1002", "1003"], [4, 5, 6], "Astromech"),
    };

    public static GraphQLSchema Instance { get; } = Build();

    private static object? Character(string id) => Humans.TryGetValue(id, out var h) ? h : Droids.GetValueOrDefault(id);

    private static ValueTask<object?> Secret<T>(ResolveContext<T> ctx) => throw new GraphQLException("secretBackstory is secret.");

    private static GraphQLSchema Build() => new SchemaBuilder()
        .Enum("Episode", e => e
            .Description("One of the films in the Star Wars Trilogy")
            .Value("NEWHOPE", 4, "Released in 1977.")
            .Value("EMPIRE", 5, "Released in 1980.")
            .Value("JEDI", 6, "Released in 1983."))
        .Interface("Character", t => t
            .Description("A character in the Star Wars Trilogy")
            .Field("id", "String!", f => f.Description("The id of the character."))
            .Field("name", "String", f => f.Description("The name of the character."))
            .Field("friends", "[Character]", f => f.Description("The friends of the character, or an empty list if they have none."))
            .Field("appearsIn", "[Episode]", f => f.Description("Which movies they appear in."))
            .Field("secretBackstory", "String", f => f.Description("All secrets about their past.")))
        .Object<Human>("Human", t => t
            .Description("A humanoid creature in the Star Wars universe.")
            .Implements("Character")
            .Field("id", "String!", f => f.Description("The id of the human."))
            .Field("name", "String", f => f.Description("The name of the human."))
            .Field("friends", "[Character]", h => h.Friends.Select(Character), f => f.Description("The friends of the human, or an empty list if they have none."))
            .Field("appearsIn", "[Episode]", f => f.Description("Which movies they appear in."))
            .Field("homePlanet", "String", f => f.Description("The home planet of the human, or null if unknown."))
            .Field("secretBackstory", "String", Secret, f => f.Description("Where are they from and how they came to be who they are.")))
        .Object<Droid>("Droid", t => t
            .Description("A mechanical creature in the Star Wars universe.")
            .Implements("Character")
            .Field("id", "String!", f => f.Description("The id of the droid."))
            .Field("name", "String", f => f.Description("The name of the droid."))
            .Field("friends", "[Character]", d => d.Friends.Select(Character), f => f.Description("The friends of the droid, or an empty list if they have none."))
            .Field("appearsIn", "[Episode]", f => f.Description("Which movies they appear in."))
            .Field("secretBackstory", "String", Secret, f => f.Description("Construction date and the name of the designer."))
            .Field("primaryFunction", "String", f => f.Description("The primary function of the droid.")))
        .Query(t => t
            .Field("hero", "Character",
                ctx => new ValueTask<object?>(ctx.Argument<int?>("episode") == 5 ? Humans["1000"] : Droids["2001"]),
                f => f.Argument("episode", "Episode", a => a.Description(
                    "If omitted, returns the hero of the whole saga. If provided, returns the hero of that particular episode.")))
            .Field("human", "Human", ctx => new ValueTask<object?>(Humans.GetValueOrDefault(ctx.Argument<string>("id"))),
                f => f.Description("Query a human by id.").Argument("id", "String!", a => a.Description("id of the human")))
            .Field("droid", "Droid", ctx => new ValueTask<object?>(Droids.GetValueOrDefault(ctx.Argument<string>("id"))),
                f => f.Description("Query a droid by id.").Argument("id", "String!", a => a.Description("id of the droid"))))
        .Build();
}
