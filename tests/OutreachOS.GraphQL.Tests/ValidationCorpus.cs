namespace OutreachOS.GraphQL.Tests;

/// <summary>Documents checked against <c>Schemas.ValidationSchema</c>, by us and by graphql-core, grouped by rule.</summary>
internal static class ValidationCorpus
{
    public static readonly (string Rule, string Document)[] Documents =
    [
        // Syntax
        ("Syntax", "{"),
        ("Syntax", "{ dog { name }"),
        ("Syntax", "query { dog(x: ) { name } }"),
        ("Syntax", "fragment on on Dog { name }"),
        ("Syntax", "{ dog { name } } }"),
        ("Syntax", "query Q($a: Int = $b) { dog { name } }"),
        ("Syntax", "{ dog { name(surname: \"unterminated) } }"),
        ("Syntax", "{ dog { name @ } }"),
        ("Syntax", "{ complicatedArgs { intArgField(intArg: 01) } }"),
        ("Syntax", "{ complicatedArgs { floatArgField(floatArg: 1.) } }"),
        ("Syntax", "\"desc\" query { dog { name } }"),
        ("Syntax", "{ dog { ... } }"),
        ("Syntax", "query Q($a) { dog { name } }"),
        ("Syntax", "{ dog { name } } \u0007"),
        ("Syntax", "{ complicatedArgs { stringArgField(stringArg: \"\\x\") } }"),
        ("Syntax", "{ complicatedArgs { stringArgField(stringArg: \"\"\"\n   block\n   string\"\"\") } }"),
        ("Syntax", "{ complicatedArgs { stringArgField(stringArg: \"tab\tbell\u0007nul\u0000\") a: stringArgField(stringArg: \"\"\"\u0001\"\"\") } }"),
        ("Syntax", "{ dog { name } } # comment \u0001 \u0007\n"),

        // ExecutableDefinitions
        ("ExecutableDefinitions", "query Foo { dog { name } } type Cow { name: String } extend type Dog { color: String }"),
        ("ExecutableDefinitions", "schema { query: Query } \"described\" scalar Foo union U = Dog | Cat enum E { A } input I { a: Int = 1 } directive @d(a: Int) repeatable on FIELD interface X implements Pet { a: Int }"),

        // ExecutableDefinitions: type system definitions are parsed (for syntax errors) though never executable
        ("ExecutableDefinitions", "{ dog { name } } extend type Dog { a: Int ] }"),
        ("ExecutableDefinitions", "{ dog { name } } type T { }"),
        ("ExecutableDefinitions", "{ dog { name } } enum E { true }"),
        ("ExecutableDefinitions", "{ dog { name } } extend type Dog"),
        ("ExecutableDefinitions", "{ dog { name } } directive @d on FIELD | NOWHERE"),
        ("ExecutableDefinitions", "{ dog { name } } input I { a: Int = $v }"),
        ("ExecutableDefinitions", "{ dog { name } } schema { query Query }"),
        ("ExecutableDefinitions", "{ dog { name } } type T { f(a: Int, b): Int }"),
        ("ExecutableDefinitions", "{ dog { name } } extend schema"),
        ("ExecutableDefinitions", "{ dog { name } } schema @d"),
        ("ExecutableDefinitions", "{ dog { name } } union U = | A | B extend union U"),
        ("ExecutableDefinitions", "{ dog { name } } type T implements & Pet & Mammal { \"d\" f(\"\"\"x\"\"\" a: [Int!]! = [1] @deprecated): T @deprecated } extend scalar S @specifiedBy(url: \"u\") extend enum FurColor { \"d\" PURPLE @deprecated } extend input ComplexInput { a: Int = 1 }"),
        ("ExecutableDefinitions", "{ dog { name } } schema { query: Query subscription: Subscription } extend schema { mutation: Mutation } interface I implements Pet { f: Int } extend interface I { g(a: [String] = [\"x\"]): I } union U = Dog | Cat directive @d(a: Int = 1 @deprecated) repeatable on FIELD | QUERY"),
        ("ExecutableDefinitions", "{ dog { name } } extend enum E"),
        ("ExecutableDefinitions", "{ dog { name } } scalar S extend scalar S"),
        ("ExecutableDefinitions", "{ dog { name } } directive @d on"),
        ("ExecutableDefinitions", "{ dog { name } } type T { f: Int @d(a: $x) }"),
        ("ExecutableDefinitions", "{ dog { name } } schema { query: Query, notAnOperation: Query }"),

        // UniqueOperationNames / LoneAnonymousOperation
        ("UniqueOperationNames", "query Foo { dog { name } } query Foo { cat { name } }"),
        ("UniqueOperationNames", "query Foo { dog { name } } mutation Foo { createDog(name: \"x\") { name } }"),
        ("UniqueOperationNames", "query Foo { dog { name } } query Bar { dog { name } }"),
        ("LoneAnonymousOperation", "{ dog { name } } query Foo { dog { name } }"),
        ("LoneAnonymousOperation", "{ dog { name } } { cat { name } }"),
        ("LoneAnonymousOperation", "{ dog { name } } fragment F on Dog { name }"),

        // SingleFieldSubscriptions
        ("SingleFieldSubscriptions", "subscription { newDog { name } }"),
        ("SingleFieldSubscriptions", "subscription S { newDog { name } newCat { name } }"),
        ("SingleFieldSubscriptions", "subscription { newDog { name } ...F } fragment F on Subscription { newCat { name } }"),
        ("SingleFieldSubscriptions", "subscription S { __typename }"),
        ("SingleFieldSubscriptions", "subscription S { newDog { name } newCat @include(if: true, if: false) { name } }"),
        ("SingleFieldSubscriptions", "subscription S { newDog { name } newCat @skip(if: false, if: true) { name } }"),
        ("SingleFieldSubscriptions", "subscription S { newDog { name } newCat @include(if: true) @include(if: false) { name } }"),
        ("SingleFieldSubscriptions", "subscription S { newDog { name } newCat @skip(if: false) @skip(if: true) { name } }"),
        ("SingleFieldSubscriptions", "subscription { newDog { name } newDog { nickname } }"),

        // KnownTypeNames
        ("KnownTypeNames", "query Q($a: Int, $b: Stringg, $c: [Doge!]) { dog { name } }"),
        ("KnownTypeNames", "{ dog { ... on Badger { name } } } "),
        ("KnownTypeNames", "fragment F on Peat { name } { pet { ...F } }"),

        // FragmentsOnCompositeTypes
        ("FragmentsOnCompositeTypes", "fragment F on Boolean { name } { dog { ...F } }"),
        ("FragmentsOnCompositeTypes", "{ dog { ... on FurColor { name } } }"),
        ("FragmentsOnCompositeTypes", "{ pet { ... on Dog { name } ... on CatOrDog { __typename } ... { name } } }"),

        // VariablesAreInputTypes
        ("VariablesAreInputTypes", "query Q($a: Dog, $b: [[CatOrDog!]]!, $c: Pet) { dog { name } }"),
        ("VariablesAreInputTypes", "query Q($a: ComplexInput, $b: [FurColor!], $c: String!) { complicatedArgs { complexArgField(complexArg: $a) enumArgField(enumArg: $b) stringArgField(stringArg: $c) } }"),

        // ScalarLeafs
        ("ScalarLeafs", "{ dog }"),
        ("ScalarLeafs", "{ human { pets } }"),
        ("ScalarLeafs", "{ dog { barks { sinceWhen } } }"),
        ("ScalarLeafs", "{ cat { furColor { inHexDec } } }"),
        ("ScalarLeafs", "{ dog { doesKnowCommand(dogCommand: SIT) { x } } }"),
        ("ScalarLeafs", "{ human { relatives } }"),

        // FieldsOnCorrectType
        ("FieldsOnCorrectType", "{ dog { meowVolume } }"),
        ("FieldsOnCorrectType", "{ pet { name nickname } }"),
        ("FieldsOnCorrectType", "{ catOrDog { name } }"),
        ("FieldsOnCorrectType", "{ catOrDog { __typename ... on Dog { barkVolume } } }"),
        ("FieldsOnCorrectType", "fragment F on Canine { mother { father { barkVolume } } } { dog { ...F } }"),
        ("FieldsOnCorrectType", "{ dog { __typename alias: name unknown: nonexistent } }"),
        ("FieldsOnCorrectType", "{ __schema { queryType { name } } __type(name: \"Dog\") { name } }"),
        ("FieldsOnCorrectType", "{ dog { __schema { queryType { name } } } }"),

        // UniqueFragmentNames / KnownFragmentNames / NoUnusedFragments
        ("UniqueFragmentNames", "{ dog { ...F } } fragment F on Dog { name } fragment F on Dog { nickname }"),
        ("UniqueFragmentNames", "{ dog { name ...F } } fragment F on Dog { name: nickname } fragment F on Dog { name: barks }"),
        ("UniqueFragmentNames", "subscription S { newDog { name } ...F } fragment F on Subscription { newDog { name } } fragment F on Subscription { newCat { name } }"),
        ("KnownFragmentNames", "{ dog { ...Missing ...on Dog { ...AlsoMissing } } }"),
        ("NoUnusedFragments", "query Q { dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { name } fragment Unused on Dog { name } fragment Unused2 on Dog { ...Unused }"),

        // PossibleFragmentSpreads
        ("PossibleFragmentSpreads", "{ dog { ... on Cat { meows } } }"),
        ("PossibleFragmentSpreads", "fragment C on Cat { meows } { dog { ...C } }"),
        ("PossibleFragmentSpreads", "{ pet { ... on Human { name } } }"),
        ("PossibleFragmentSpreads", "{ catOrDog { ... on Pet { name } ... on Canine { name } ... on Human { name } } }"),
        ("PossibleFragmentSpreads", "fragment H on Human { name } { catOrDog { ...H } }"),
        ("PossibleFragmentSpreads", "{ dog { ... on Mammal { mother { name } } ... on CatOrDog { __typename } } }"),

        // NoFragmentCycles
        ("NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { ...A }"),
        ("NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { ...A }"),
        ("NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { ...B ...C } fragment B on Dog { mother { ...C } } fragment C on Dog { ...A }"),
        ("NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { name ... on Dog { ...B } } fragment B on Dog { nickname ...A }"),
        ("NoFragmentCycles", "{ dog { ...A ...B } } fragment A on Dog { name } fragment B on Dog { ...A ...A }"),

        // UniqueVariableNames / NoUndefinedVariables / NoUnusedVariables
        ("UniqueVariableNames", "query Q($a: Int, $a: Int, $b: String, $a: Boolean) { dog { name } }"),
        ("NoUndefinedVariables", "query Q($a: Int) { complicatedArgs { intArgField(intArg: $b) } }"),
        ("NoUndefinedVariables", "query Q { dog { ...F } } query R($x: Boolean) { dog { ...F } } fragment F on Dog { isHouseTrained(atOtherHomes: $x) }"),
        ("NoUndefinedVariables", "{ complicatedArgs { intArgField(intArg: $a) stringArgField(stringArg: $a) } }"),
        ("NoUnusedVariables", "query Q($a: Int, $b: Int, $c: Boolean) { dog { ...F } } fragment F on Dog { isHouseTrained(atOtherHomes: $c) }"),
        ("NoUnusedVariables", "query ($a: String) { dog { name } }"),

        // KnownDirectives / UniqueDirectivesPerLocation
        ("KnownDirectives", "{ dog @unknown { name } }"),
        ("KnownDirectives", "query Q @skip(if: true) { dog @include(if: true) { name } }"),
        ("KnownDirectives", "query Q($v: Boolean @skip(if: true)) { dog { name @deprecated } }"),
        ("KnownDirectives", "fragment F on Dog @include(if: true) { name } { dog { ...F @skip(if: false) ... @include(if: true) { name } } }"),
        ("UniqueDirectivesPerLocation", "{ dog @skip(if: true) @skip(if: false) { name @include(if: true) @skip(if: true) @include(if: false) } }"),
        ("UniqueDirectivesPerLocation", "{ dog @skip(if: true) { name } dog @skip(if: false) { name } }"),

        // KnownArgumentNames / UniqueArgumentNames / ProvidedRequiredArguments
        ("KnownArgumentNames", "{ dog { doesKnowCommand(dogCommnd: SIT) name(surname: true, x: 1) } }"),
        ("KnownArgumentNames", "{ dog @skip(iff: true, if: false) { name } }"),
        ("KnownArgumentNames", "{ dog { unknownField(arg: 1) } }"),
        ("UniqueArgumentNames", "{ dog { isAtLocation(x: 1, x: 2, y: 3) } }"),
        ("UniqueArgumentNames", "{ dog @include(if: true, if: false) { name } }"),
        ("ProvidedRequiredArguments", "{ complicatedArgs { multipleReqs(req1: 1) nonNullIntArgField nonNullFieldWithDefault multipleOpts multipleOptAndReq(req2: 1) } }"),
        ("ProvidedRequiredArguments", "{ dog @skip { name @include } }"),
        ("ProvidedRequiredArguments", "mutation { createDog { name } }"),

        // ValuesOfCorrectType
        ("ValuesOfCorrectType", "{ complicatedArgs { intArgField(intArg: \"3\") } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { intArgField(intArg: 3.5) stringArgField(stringArg: 1) booleanArgField(booleanArg: \"true\") } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { intArgField(intArg: 2147483648) floatArgField(floatArg: true) idArgField(idArg: 1.0) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { idArgField(idArg: 1) floatArgField(floatArg: 1) stringListArgField(stringListArg: \"one\") } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { enumArgField(enumArg: \"BROWN\") } dog { doesKnowCommand(dogCommand: sit) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { enumArgField(enumArg: PURPLE) } dog { doesKnowCommand(dogCommand: true) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { nonNullIntArgField(nonNullIntArg: null) stringListNonNullArgField(stringListNonNullArg: [\"a\", null]) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { stringListArgField(stringListArg: [\"one\", 2, [\"three\"]]) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { complexArgField(complexArg: { intField: 4 }) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, unknownField: \"x\", stringListField: [\"a\", 1] }) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, nonNullField: null }) } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { complexArgField(complexArg: \"notAnObject\") intArgField(intArg: {a: 1}) } }"),
        ("ValuesOfCorrectType", "query Q($a: Int = \"one\", $b: ComplexInput = { requiredField: 1 }, $c: [FurColor] = [BROWN, \"BLACK\"]) { dog { name } }"),
        ("ValuesOfCorrectType", "{ complicatedArgs { intArgField(intArg: -0) floatArgField(floatArg: 1e3) stringArgField(stringArg: \"\"\"block\"\"\") idArgField(idArg: \"x\") } }"),
        ("ValuesOfCorrectType", "{ dog { isHouseTrained(atOtherHomes: null) } }"),

        // VariablesInAllowedPosition
        ("VariablesInAllowedPosition", "query Q($a: Int) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: Int = 1) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: Int = null) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: Int) { complicatedArgs { nonNullFieldWithDefault(arg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: String) { complicatedArgs { intArgField(intArg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: [String]) { complicatedArgs { stringListNonNullArgField(stringListNonNullArg: $a) stringArgField(stringArg: $a) } }"),
        ("VariablesInAllowedPosition", "query Q($a: String) { complicatedArgs { stringListArgField(stringListArg: [$a]) stringListNonNullArgField(stringListNonNullArg: [$a]) } }"),
        ("VariablesInAllowedPosition", "query Q($a: Boolean) { complicatedArgs { complexArgField(complexArg: { requiredField: $a, nonNullField: $a }) } }"),
        ("VariablesInAllowedPosition", "query Q($a: Boolean) { dog @include(if: $a) { name } }"),
        ("VariablesInAllowedPosition", "query Q($a: Int!) { dog { ...F } } fragment F on Dog { isAtLocation(x: $a, y: $a) name @skip(if: $a) }"),

        // OverlappingFieldsCanBeMerged
        ("OverlappingFieldsCanBeMerged", "{ dog { name: nickname name } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) name name } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { ...A ...B } } fragment A on Dog { x: name } fragment B on Dog { x: nickname }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { x: name ...B } } fragment B on Dog { x: barks }"),
        ("OverlappingFieldsCanBeMerged", "{ pet { ... on Dog { name: nickname } ... on Cat { name } } }"),
        ("OverlappingFieldsCanBeMerged", "{ catOrDog { ... on Dog { x: barkVolume } ... on Cat { x: meows } } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { mother { x: name } mother { x: nickname } } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { mother { x: name y: barks } mother { x: nickname y: barkVolume } } }"),
        ("OverlappingFieldsCanBeMerged", "{ human { pets { name } } human { pets: relatives { name } } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { isAtLocation(x: 1, y: 2) isAtLocation(y: 2, x: 1) } complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1}) complexArgField(complexArg: {intField: 1, requiredField: true}) } }"),
        ("OverlappingFieldsCanBeMerged", "query Q($a: Boolean, $b: Boolean) { dog { isHouseTrained(atOtherHomes: $a) isHouseTrained(atOtherHomes: $b) } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { ...A } dog { ...B } } fragment A on Dog { mother { name } } fragment B on Dog { mother { name: nickname } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { ...A } } fragment A on Dog { ...B name } fragment B on Dog { ...A name: barks }"),
        ("OverlappingFieldsCanBeMerged", "{ pet { ... on Dog { mother { x: name } } ... on Cat { x: furColor } } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { name name name: nickname name name: barks name } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { ...A name name x: name x: nickname x: name } } fragment A on Dog { name name: barks name x: name x: barkVolume }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { isAtLocation(x: 1) isAtLocation(x: 1) isAtLocation(x: 2) isAtLocation(x: 1) isAtLocation(y: 1) } }"),
        ("OverlappingFieldsCanBeMerged", "{ pet { ... on Dog { name name } ... on Cat { name: meows name } name } }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { mother { name } mother { name } mother { name } mother { name } mother { name } mother { name } mother { name } mother { name } mother { name: nickname } mother { ...M } } } fragment M on Dog { name: barks }"),
        ("OverlappingFieldsCanBeMerged", "{ dog { mother { ...M } mother { ...M } mother { ...M } mother { ...M } mother { ...M } mother { ...M } mother { ...M } mother { ...M } mother { ...M } ...D } } fragment M on Dog { name } fragment D on Dog { mother { name: nickname ...M } }"),

        // UniqueInputFieldNames
        ("UniqueInputFieldNames", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, requiredField: false, intField: 1, intField: 2 }) } }"),
        ("UniqueInputFieldNames", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, stringListField: [\"a\"], intField: 1 }) } }"),

        // MaxIntrospectionDepth (graphql-core recommended rule)
        ("MaxIntrospectionDepth", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"),
        ("MaxIntrospectionDepth", "{ __type(name: \"Dog\") { fields { type { interfaces { name } } } } }"),

        // Valid kitchen sink
        ("Valid", "query Q($id: ID, $cmd: DogCommand = SIT, $skip: Boolean!) { human(id: $id) { name(surname: true) pets { ... on Dog { doesKnowCommand(dogCommand: $cmd) } ...PetName } relatives { name } } dog @skip(if: $skip) { ...DogFields mother { ...DogFields } } } fragment PetName on Pet { name } fragment DogFields on Dog { name nickname barkVolume isHouseTrained }"),
        ("Valid", "mutation M { createDog(name: \"Rex\") { name } } subscription S { newDog { name } } query Q { dog { name } }"),
        ("Valid", "query ($c: ComplexInput!) { complicatedArgs { complexArgField(complexArg: $c) a: complexArgField(complexArg: { requiredField: true, stringListField: \"single\" }) } }"),
    ];
}
