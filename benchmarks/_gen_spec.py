"""Generators for the check benchmarks: a large OpenAPI 3.1 spec and Pact V4 files against it.

The spec has ``operations`` operations over ``operations // 4`` resources (list,
create, read, replace), with ``$ref``'d component schemas, nested objects (an owner
with an address), arrays of objects, enums, patterns, formats, path and query
parameters, problem+json errors, a required ``Retry-After`` on 429, and bearer
security. A pact's interactions cycle over the operations with realistic matchers
(``type``, ``regex``, ``integer``, ``datetime``, ``eachLike``) and are all compatible
with the spec, as Pact V4 files that other tools (pact-python's verifier, PactFlow's
openapi-pact-comparator) read too. ``defect_every=n`` renames a response field in
every n-th interaction (those expecting a 2XX), for measuring the failure path.

Output is deterministic: the same arguments give the same files. As a script::

    .venv/bin/python benchmarks/_gen_spec.py --operations 1000 --interactions 1000 10000 --out DIR
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

_ref = "#/components/schemas/{}".format
_STATUSES = ["draft", "active", "archived"]


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _ref(schema)}}}


def _problem(description: str, *, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _ref("Problem")}}},
    }
    if retry:
        response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    return response


def _shared_schemas() -> dict[str, Any]:
    return {
        "Status": {"type": "string", "enum": _STATUSES},
        "Address": {
            "type": "object",
            "required": ["street", "city"],
            "properties": {
                "street": {"type": "string", "maxLength": 200},
                "city": {"type": "string"},
                "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
        },
        "Owner": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "pattern": "^o-[0-9]+$"},
                "name": {"type": "string", "minLength": 1},
                "address": {"$ref": _ref("Address")},
            },
        },
        "LineItem": {
            "type": "object",
            "required": ["sku", "quantity"],
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                "quantity": {"type": "integer", "minimum": 1},
                "price": {"type": "number", "minimum": 0},
            },
        },
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
            },
        },
    }


def _resource_schemas(name: str) -> dict[str, Any]:
    return {
        name: {
            "type": "object",
            "required": ["id", "name", "status", "created_at"],
            "properties": {
                "id": {"type": "string", "pattern": "^r-[0-9]+$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
                "count": {"type": "integer", "minimum": 0},
                "price": {"type": "number", "minimum": 0},
                "active": {"type": "boolean"},
                "status": {"$ref": _ref("Status")},
                "created_at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
                "owner": {"$ref": _ref("Owner")},
                "items": {"type": "array", "items": {"$ref": _ref("LineItem")}},
            },
        },
        f"{name}Input": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
                "count": {"type": "integer", "minimum": 0},
                "status": {"$ref": _ref("Status")},
                "tags": {"type": "array", "items": {"type": "string"}},
                "owner": {"$ref": _ref("Owner")},
            },
        },
        f"{name}Page": {
            "type": "object",
            "required": ["items", "total"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": _ref(name)}},
                "total": {"type": "integer", "minimum": 0},
                "next": {"type": ["string", "null"]},
            },
        },
    }


def generate_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.1 document with ``operations`` operations (rounded up to a multiple of 4)."""
    resources = max(1, -(-operations // 4))
    paths: dict[str, Any] = {}
    schemas = _shared_schemas()
    errors = {
        "404": _problem("Not found."),
        "429": _problem("Rate limited.", retry=True),
        "503": _problem("Unavailable."),
    }
    for n in range(resources):
        name = f"Resource{n}"
        schemas.update(_resource_schemas(name))
        collection = f"/resources{n}"
        paths[collection] = {
            "get": {
                "operationId": f"list{name}",
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/Limit"},
                    {"name": "status", "in": "query", "schema": {"$ref": _ref("Status")}},
                ],
                "responses": {
                    "200": {"description": "A page.", "content": _json(f"{name}Page")},
                    **errors,
                },
            },
            "post": {
                "operationId": f"create{name}",
                "requestBody": {"required": True, "content": _json(f"{name}Input")},
                "responses": {
                    "201": {"description": "Created.", "content": _json(name)},
                    **errors,
                },
            },
        }
        paths[f"{collection}/{{id}}"] = {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {
                "operationId": f"get{name}",
                "responses": {"200": {"description": "One.", "content": _json(name)}, **errors},
            },
            "put": {
                "operationId": f"replace{name}",
                "requestBody": {"required": True, "content": _json(f"{name}Input")},
                "responses": {
                    "200": {"description": "Replaced.", "content": _json(name)},
                    **errors,
                },
            },
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Benchmark service", "version": "1.0.0"},
        "servers": [{"url": "/api"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "Id": {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^r-[0-9]+$"},
                },
                "Page": {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1},
                },
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            },
            "headers": {
                "RetryAfter": {
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
            "schemas": schemas,
        },
    }


# -- pacts -----------------------------------------------------------------------------------


def _matchers(*entries: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {path: {"combine": "AND", "matchers": [m]} for path, m in entries}


def _resource(rng: random.Random, k: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A resource the spec allows, and its body matching rules (relative to ``$``)."""
    value = {
        "id": f"r-{k}",
        "name": f"resource {k}",
        "count": rng.randint(0, 500),
        "price": round(rng.uniform(0, 100), 2),
        "active": rng.random() < 0.5,
        "status": rng.choice(_STATUSES),
        "created_at": f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00Z",
        "tags": [f"t{rng.randint(0, 9)}" for _ in range(rng.randint(1, 3))],
        "owner": {
            "id": f"o-{rng.randint(1, 99)}",
            "name": "Ada",
            "address": {"street": "1 Main St", "city": "Springfield", "zip": "12345"},
        },
        "items": [
            {"sku": f"SKU-{rng.randint(1000, 9999)}", "quantity": rng.randint(1, 5), "price": 2.5}
            for _ in range(rng.randint(1, 3))
        ],
    }
    rules = _matchers(
        ("id", {"match": "regex", "regex": "^r-[0-9]+$"}),
        ("name", {"match": "type"}),
        ("count", {"match": "integer"}),
        ("price", {"match": "decimal"}),
        ("active", {"match": "boolean"}),
        ("created_at", {"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}),
        ("owner", {"match": "type"}),
        ("items", {"match": "type", "min": 1}),
    )
    return value, rules


def _prefixed(rules: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {f"{prefix}.{path}": rule for path, rule in rules.items()}


def _body(content: Any, media: str = "application/json") -> dict[str, Any]:
    return {"content": content, "contentType": media, "encoded": False}


def _interaction(spec: dict[str, Any], rng: random.Random, k: int) -> dict[str, Any]:
    templates = [
        (p, m) for p, item in spec["paths"].items() for m in ("get", "post", "put") if m in item
    ]
    path, method = templates[k % len(templates)]
    n = path.split("/")[1].removeprefix("resources")
    concrete = "/api" + path.replace("{id}", f"r-{k}")
    headers = {"Authorization": ["Bearer bench-token"], "Accept": ["application/json"]}
    request: dict[str, Any] = {"method": method.upper(), "path": concrete, "headers": headers}
    value, rules = _resource(rng, k)
    if method in ("post", "put"):
        headers["Content-Type"] = ["application/json"]
        request["body"] = _body(
            {"name": value["name"], "count": value["count"], "tags": value["tags"]}
        )
    response: dict[str, Any]
    if k % 20 == 19:
        response = {
            "status": 404,
            "headers": {"Content-Type": ["application/problem+json"]},
            "body": _body(
                {"type": "about:blank", "title": "Not Found", "status": 404},
                "application/problem+json",
            ),
        }
    elif method == "get" and "{id}" not in path:
        request["query"] = {"page": [str(rng.randint(1, 9))], "limit": ["20"]}
        page = {"items": [value], "total": rng.randint(1, 999)}
        response = {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": _body(page),
            "matchingRules": {
                "body": {
                    "$.items": {"combine": "AND", "matchers": [{"match": "type", "min": 1}]},
                    **_prefixed(rules, "$.items[*]"),
                    "$.total": {"combine": "AND", "matchers": [{"match": "integer"}]},
                }
            },
        }
    else:
        response = {
            "status": 201 if method == "post" else 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": _body(value),
            "matchingRules": {"body": _prefixed(rules, "$")},
        }
    return {
        "type": "Synchronous/HTTP",
        "description": f"{method} resource {n} #{k}",
        "providerStates": [{"name": f"resource r-{k} exists"}],
        "request": request,
        "response": response,
        "pending": False,
    }


def generate_pact(
    spec: dict[str, Any],
    interactions: int,
    *,
    seed: int = 1,
    defect_every: int = 0,
    consumer: str = "bench-consumer",
    provider: str = "bench-provider",
) -> dict[str, Any]:
    """A Pact V4 document of ``interactions`` interactions that ``spec`` serves."""
    rng = random.Random(seed)
    out = []
    for k in range(interactions):
        interaction = _interaction(spec, rng, k)
        if defect_every and k % defect_every == 0 and interaction["response"]["status"] < 400:
            content = interaction["response"]["body"]["content"]
            page = "total" in content  # a resource has "items" (line items) of its own
            target = content["items"][0] if page else content
            target["display_name"] = target.pop("name")  # a renamed field
        out.append(interaction)
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": out,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def write_json(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as compact-ish JSON (one line per key would triple the size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--interactions", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--defect-every", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    spec = generate_spec(args.operations)
    print(write_json(spec, args.out / f"spec-{args.operations}.json"))
    for count in args.interactions:
        pact = generate_pact(spec, count, defect_every=args.defect_every)
        print(write_json(pact, args.out / f"pact-{count}.json"))


if __name__ == "__main__":
    main()
