"""Test-time helper: runs graphql-core (the reference implementation port) on inputs from the C# tests.

Usage: python3 conformance.py <command> [args]; JSON input on stdin, JSON output on stdout.
  version                          -> {"version": "..."}
  introspection-query              -> {"query": "..."} (the graphql-js 16 query with every option on)
  check-introspection <sdl>        stdin: introspection response {"data": ...}
                                   -> {"errors": [...], "expected": sdl, "actual": sdl}
  validate <sdl>                   stdin: ["doc", ...] -> [{"errors": [{"message", "locations"}]}]
  execute-starwars <sdl>           stdin: [{"query", "variables", "operationName"}] -> [execution result]
  execute-nulls <sdl>              like execute-starwars, on the null-propagation schema
  differential                     stdin: JSON lines {"schema", "query", "variables", "operationName"}, schema one of
                                   validation_schema (parse + validate), starwars or nulls (execute); one process for a
                                   whole randomised batch -> [validate result or execution result, in input order]
"""
import json
import re
import sys

import graphql
from graphql import (
    ExecutionContext,
    GraphQLError,
    GraphQLOneOfDirective,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    execute_sync,
    get_introspection_query,
    graphql_sync,
    lexicographic_sort_schema,
    parse,
    print_schema,
    validate,
    validate_schema,
)
from graphql.type.introspection import introspection_types


LINE_TERMINATOR = re.compile(r"\r\n|[\n\r]")


def js_location(body, position):
    """Line and column of a source position as graphql-js 16 getLocation computes them: lines end at CRLF, LF or CR
    only, and the column counts UTF-16 code units. graphql-core 3.2's Source.get_location uses str.splitlines(), which
    puts a position just after a line terminator at the end of the previous line (1:16 instead of 2:1), also breaks
    lines at VT, FF, U+001C-U+001E, U+0085, U+2028 and U+2029, and counts code points; its positions are right."""
    line, line_start = 1, 0
    for match in LINE_TERMINATOR.finditer(body):
        if match.start() >= position:
            break
        line, line_start = line + 1, match.end()
    return [line, len(body[line_start:position].encode("utf-16-le")) // 2 + 1]


def error_json(e: GraphQLError):
    if e.source is not None and e.positions:
        locations = [js_location(e.source.body, position) for position in e.positions]
    else:
        locations = [[loc.line, loc.column] for loc in (e.locations or [])]
    return {"message": e.message, "locations": locations, "path": e.path}


def load(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_introspection(sdl_path):
    result = json.load(sys.stdin)
    client = build_client_schema(result["data"])
    errors = [str(e) for e in validate_schema(client)]
    expected = print_schema(lexicographic_sort_schema(build_schema(load(sdl_path))))
    actual = print_schema(lexicographic_sort_schema(client))
    return {"errors": errors, "expected": expected, "actual": actual}


def validate_one(schema, source):
    try:
        document = parse(source)
    except GraphQLError as e:
        return {"errors": [error_json(e)]}
    except IndexError as e:
        # graphql-core's lexer reads past the end of a document cut inside an escape ("\u12<EOF>"); graphql-js
        # reports a syntax error there. No reference answer.
        return {"crashed": repr(e)}
    try:
        errors = validate(schema, document)
    except GraphQLError as e:
        # graphql-core (like graphql-js 16) raises out of validate() when SingleFieldSubscriptionsRule collects the
        # root fields of a subscription with @skip/@include(if: $variable): getArgumentValues finds no runtime value
        # for the non-null "if". The spec's CollectFields has no such error; there is no reference answer then.
        return {"crashed": e.message}
    return {"errors": [error_json(e) for e in errors]}


def validate_docs(sdl_path):
    schema = build_schema(load(sdl_path))
    return [validate_one(schema, source) for source in json.load(sys.stdin)]


HUMANS = {
    "1000": {"id": "1000", "name": "Luke Skywalker", "friends": ["1002", "1003", "2000", "2001"], "appearsIn": [4, 5, 6], "homePlanet": "Tatooine"},
    "1001": {"id": "1001", "name": "Darth Vader", "friends": ["1004"], "appearsIn": [4, 5, 6], "homePlanet": "Tatooine"},
    "1002": {"id": "1002", "name": "Han Solo", "friends": ["1000", "1003", "2001"], "appearsIn": [4, 5, 6], "homePlanet": None},
    "1003": {"id": "1003", "name": "Leia Organa", "friends": ["1000", "1002", "2000", "2001"], "appearsIn": [4, 5, 6], "homePlanet": "Alderaan"},
    "1004": {"id": "1004", "name": "Wilhuff Tarkin", "friends": ["1001"], "appearsIn": [4], "homePlanet": None},
}
DROIDS = {
    "2000": {"id": "2000", "name": "C-3PO", "friends": ["1000", "1002", "1003", "2001"], "appearsIn": [4, 5, 6], "primaryFunction": "Protocol"},
    "2001": {"id": "2001", "name": "R2-D2", "friends": ["1000", "1002", "1003"], "appearsIn": [4, 5, 6], "primaryFunction": "Astromech"},
}


def character(cid):
    return HUMANS.get(cid) or DROIDS.get(cid)


def secret(_obj, _info):
    raise GraphQLError("secretBackstory is secret.")


def starwars_schema(sdl_path):
    schema = build_schema(load(sdl_path))
    episode = schema.type_map["Episode"]
    for name, number in (("NEWHOPE", 4), ("EMPIRE", 5), ("JEDI", 6)):
        episode.values[name].value = number
    query = schema.query_type.fields
    query["hero"].resolve = lambda _s, _i, episode=None: HUMANS["1000"] if episode == 5 else DROIDS["2001"]
    query["human"].resolve = lambda _s, _i, id: HUMANS.get(id)
    query["droid"].resolve = lambda _s, _i, id: DROIDS.get(id)
    for type_name in ("Human", "Droid"):
        fields = schema.type_map[type_name].fields
        fields["friends"].resolve = lambda c, _i: [character(f) for f in c["friends"]]
        fields["secretBackstory"].resolve = secret
    schema.type_map["Character"].resolve_type = lambda c, _i, _t: "Human" if c["id"] in HUMANS else "Droid"
    return schema


def execute_starwars(sdl_path):
    schema = starwars_schema(sdl_path)
    out = []
    for request in json.load(sys.stdin):
        result = graphql_sync(schema, request["query"], variable_values=request.get("variables"),
                              operation_name=request.get("operationName"))
        entry = {}
        if result.errors:
            entry["errors"] = [error_json(e) for e in result.errors]
        if result.data is not None or (result.errors is None or any(e.path for e in result.errors)):
            entry["data"] = result.data
        out.append(entry)
    return out


def item(depth, broken=False):
    """A deterministic item tree: "broken" items have null non-null fields."""
    if depth < 0:
        return None
    return {
        "value": f"v{depth}",
        "nonNullValue": None if broken else f"n{depth}",
        "child": item(depth - 1),
        "nonNullChild": None if broken else item(depth - 1),
        "children": [item(depth - 1), item(depth - 1, broken=True)] if depth > 0 else [],
        "nullableChildren": [item(depth - 1), None] if depth > 0 else [],
    }


def fail(_obj, _info):
    raise GraphQLError("fail")


def nulls_schema(sdl_path):
    schema = build_schema(load(sdl_path))
    query = schema.query_type.fields
    query["nullable"].resolve = lambda _s, _i: item(2)
    query["nonNull"].resolve = lambda _s, _i: item(2, broken=True)
    query["items"].resolve = lambda _s, _i: [item(1), item(1, broken=True), item(1)]
    query["itemsNullable"].resolve = lambda _s, _i: [item(1), None, item(1, broken=True)]
    query["echo"].resolve = lambda _s, _i, **args: json.dumps(args, sort_keys=True, separators=(",", ":"))
    fields = schema.type_map["Item"].fields
    fields["fail"].resolve = fail
    fields["nonNullFail"].resolve = fail
    return schema


def execute_one(schema, request):
    """What graphql_sync does (parse, validate, execute), keeping apart a request that failed before execution began
    (no "data" in the response) from one whose execution failed as a whole ("data": null), which ExecutionResult does
    not tell apart."""
    variables, operation_name = request.get("variables"), request.get("operationName")

    def failed(errors):
        return {"hasData": False, "errors": [error_json(e) for e in errors], "data": None}

    try:
        document = parse(request["query"])
    except GraphQLError as e:
        return failed([e])
    except IndexError as e:  # see validate_one
        return {"crashed": repr(e)}
    errors = validate(schema, document)
    if errors:
        return failed(errors)
    context = ExecutionContext.build(schema, document, raw_variable_values=variables, operation_name=operation_name)
    if isinstance(context, list):
        return failed(context)
    result = execute_sync(schema, document, variable_values=variables, operation_name=operation_name)
    entry = {"hasData": True}
    if result.errors:
        entry["errors"] = [error_json(e) for e in result.errors]
    entry["data"] = result.data
    return entry


def execute(schema):
    return [execute_one(schema, request) for request in json.load(sys.stdin)]


def code_first_order(schema):
    """The same schema with its types collected from the roots, as graphql-js does for a schema built in code (and as
    ours lists them): build_schema keeps the SDL's order instead. The spec leaves the order of __schema.types open."""
    return GraphQLSchema(query=schema.query_type, mutation=schema.mutation_type, subscription=schema.subscription_type,
                         directives=schema.directives, description=schema.description)


def graphql_js_wording():
    """Ours words introspection like graphql-js 16.9 (README); graphql-core 3.2.8 rewords two descriptions."""
    GraphQLOneOfDirective.description = \
        "Indicates exactly one field must be supplied and this field must not be `null`."
    introspection_types["__Schema"].fields["subscriptionType"].description = \
        "If this server support subscription, the type that subscription operations will be rooted at."


def differential():
    graphql_js_wording()
    schemas = {}
    out = []
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        name = request["schema"]
        if name not in schemas:
            sdl = name + ".graphql"
            schemas[name] = (build_schema(load(sdl)) if name == "validation_schema"
                             else code_first_order(starwars_schema(sdl) if name == "starwars" else nulls_schema(sdl)))
        schema = schemas[name]
        out.append(validate_one(schema, request["query"]) if name == "validation_schema" else execute_one(schema, request))
    return out


def main():
    command = sys.argv[1]
    if command == "version":
        out = {"version": graphql.version}
    elif command == "introspection-query":
        out = {"query": get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                                schema_description=True, input_value_deprecation=True)}
    elif command == "check-introspection":
        out = check_introspection(sys.argv[2])
    elif command == "validate":
        out = validate_docs(sys.argv[2])
    elif command == "execute-starwars":
        out = execute_starwars(sys.argv[2])
    elif command == "execute-nulls":
        out = execute(nulls_schema(sys.argv[2]))
    elif command == "differential":
        out = differential()
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
