"""Test-time helper: runs graphql-core (the reference implementation port) on inputs from the C# tests.

Usage: python3 conformance.py <command> [args]; JSON input on stdin, JSON output on stdout.
  version                          -> {"version": "..."}
  introspection-query              -> {"query": "..."} (the graphql-js 16 query with every option on)
  check-introspection <sdl>        stdin: introspection response {"data": ...}
                                   -> {"errors": [...], "expected": sdl, "actual": sdl}
  validate <sdl>                   stdin: ["doc", ...] -> [{"errors": [{"message", "locations"}]}]
  execute-starwars <sdl>           stdin: [{"query", "variables", "operationName"}] -> [execution result]
"""
import json
import sys

import graphql
from graphql import (
    GraphQLError,
    build_client_schema,
    build_schema,
    get_introspection_query,
    graphql_sync,
    lexicographic_sort_schema,
    parse,
    print_schema,
    validate,
    validate_schema,
)


def error_json(e: GraphQLError):
    return {
        "message": e.message,
        "locations": [[loc.line, loc.column] for loc in (e.locations or [])],
        "path": e.path,
    }


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


def validate_docs(sdl_path):
    schema = build_schema(load(sdl_path))
    out = []
    for source in json.load(sys.stdin):
        try:
            document = parse(source)
        except GraphQLError as e:
            out.append({"errors": [error_json(e)]})
            continue
        out.append({"errors": [error_json(e) for e in validate(schema, document)]})
    return out


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


def execute(schema):
    out = []
    for request in json.load(sys.stdin):
        result = graphql_sync(schema, request["query"], variable_values=request.get("variables"),
                              operation_name=request.get("operationName"))
        entry = {"hasData": result.data is not None or bool(result.errors and any(e.path for e in result.errors))}
        if result.errors:
            entry["errors"] = [error_json(e) for e in result.errors]
        entry["data"] = result.data
        out.append(entry)
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
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
