namespace OutreachOS.GraphQL.Tests.Schemas;

/// <summary>The graphql-js validation harness schema; Python/validation_schema.graphql is the same schema in SDL.</summary>
internal static class ValidationSchema
{
    public static GraphQLSchema Instance { get; } = Build();

    private static GraphQLSchema Build()
    {
        static void Named<T>(FieldBuilder<T> f) => f.Argument("surname", "Boolean");
        return new SchemaBuilder()
            .Interface("Mammal", t => t.Field("mother", "Mammal").Field("father", "Mammal"))
            .Interface("Pet", t => t.Field("name", "String", Named))
            .Interface("Canine", t => t.Implements("Mammal").Field("name", "String", Named).Field("mother", "Canine").Field("father", "Canine"))
            .Enum("DogCommand", e => e.Value("SIT").Value("HEEL").Value("DOWN"))
            .Object("Dog", t => t.Implements("Pet", "Mammal", "Canine")
                .Field("name", "String", Named)
                .Field("nickname", "String")
                .Field("barkVolume", "Int")
                .Field("barks", "Boolean")
                .Field("doesKnowCommand", "Boolean", f => f.Argument("dogCommand", "DogCommand"))
                .Field("isHouseTrained", "Boolean", f => f.Argument("atOtherHomes", "Boolean", a => a.Default(true)))
                .Field("isAtLocation", "Boolean", f => f.Argument("x", "Int").Argument("y", "Int"))
                .Field("mother", "Dog")
                .Field("father", "Dog"))
            .Object("Cat", t => t.Implements("Pet")
                .Field("name", "String", Named)
                .Field("nickname", "String")
                .Field("meows", "Boolean")
                .Field("meowsVolume", "Int")
                .Field("furColor", "FurColor"))
            .Union("CatOrDog", u => u.Types("Cat", "Dog"))
            .Object("Human", t => t
                .Field("name", "String", Named)
                .Field("pets", "[Pet]")
                .Field("relatives", "[Human]!"))
            .Enum("FurColor", e => e.Value("BROWN").Value("BLACK").Value("TAN").Value("SPOTTED").Value("NO_FUR").Value("UNKNOWN"))
            .InputObject("ComplexInput", t => t
                .Field("requiredField", "Boolean!")
                .Field("nonNullField", "Boolean!", a => a.Default(false))
                .Field("intField", "Int")
                .Field("stringField", "String")
                .Field("booleanField", "Boolean")
                .Field("stringListField", "[String]"))
            .Object("ComplicatedArgs", t => t
                .Field("intArgField", "String", f => f.Argument("intArg", "Int"))
                .Field("nonNullIntArgField", "String", f => f.Argument("nonNullIntArg", "Int!"))
                .Field("stringArgField", "String", f => f.Argument("stringArg", "String"))
                .Field("booleanArgField", "String", f => f.Argument("booleanArg", "Boolean"))
                .Field("enumArgField", "String", f => f.Argument("enumArg", "FurColor"))
                .Field("floatArgField", "String", f => f.Argument("floatArg", "Float"))
                .Field("idArgField", "String", f => f.Argument("idArg", "ID"))
                .Field("stringListArgField", "String", f => f.Argument("stringListArg", "[String]"))
                .Field("stringListNonNullArgField", "String", f => f.Argument("stringListNonNullArg", "[String!]"))
                .Field("complexArgField", "String", f => f.Argument("complexArg", "ComplexInput"))
                .Field("multipleReqs", "String", f => f.Argument("req1", "Int!").Argument("req2", "Int!"))
                .Field("nonNullFieldWithDefault", "String", f => f.Argument("arg", "Int!", a => a.Default(0)))
                .Field("multipleOpts", "String", f => f.Argument("opt1", "Int", a => a.Default(0)).Argument("opt2", "Int", a => a.Default(0)))
                .Field("multipleOptAndReq", "String", f => f
                    .Argument("req1", "Int!").Argument("req2", "Int!")
                    .Argument("opt1", "Int", a => a.Default(0)).Argument("opt2", "Int", a => a.Default(0))))
            .Query(t => t
                .Field("human", "Human", f => f.Argument("id", "ID"))
                .Field("dog", "Dog")
                .Field("cat", "Cat")
                .Field("pet", "Pet")
                .Field("catOrDog", "CatOrDog")
                .Field("complicatedArgs", "ComplicatedArgs"))
            .Mutation(t => t.Field("createDog", "Dog", f => f.Argument("name", "String!")))
            .Subscription(t => t.Field("newDog", "Dog").Field("newCat", "Cat"))
            .Build();
    }
}
