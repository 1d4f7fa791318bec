"""The Model Hub's OpenAPI contract as jsonschema validators (for the fake hub and the tests).

Loads the project's copy of the spec (`tests/fixtures/ionos-openai.openapi.json`, copied from
`../shared/spec/`), turns OpenAPI 3.0's `nullable` into JSON Schema, and resolves `$ref`s against
the whole document. `/v1/rerank` is outside the spec; its schemas are written here from the
service's documentation.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "ionos-openai.openapi.json"

RERANK_REQUEST = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "query": {"type": "string"},
        "documents": {"type": "array", "items": {"type": "string"}},
        "top_n": {"type": "integer", "minimum": 1},
    },
    "required": ["model", "query", "documents"],
    "additionalProperties": False,
}
RERANK_RESPONSE = {
    "type": "object",
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer"},
                    "relevance_score": {"type": "number"},
                },
                "required": ["index", "relevance_score"],
            },
        }
    },
    "required": ["results"],
}


@cache
def spec() -> dict[str, Any]:
    return _nullable(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def _nullable(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _nullable(value) for key, value in node.items()}
        if out.pop("nullable", False) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    return node


def _validator(schema: dict[str, Any]) -> Draft7Validator:
    # Refs are "#/components/...": give the schema the spec's components as its own document.
    return Draft7Validator({**schema, "components": spec()["components"]})


@cache
def request_validator(path: str) -> Draft7Validator:
    if path == "/v1/rerank":
        return Draft7Validator(RERANK_REQUEST)
    operation = spec()["paths"][path]["post"]
    return _validator(operation["requestBody"]["content"]["application/json"]["schema"])


@cache
def response_validator(path: str, method: str = "post", status: str = "200") -> Draft7Validator:
    if path == "/v1/rerank":
        return Draft7Validator(RERANK_RESPONSE)
    answer = spec()["paths"][path][method]["responses"][status]
    if "$ref" in answer:
        answer = spec()["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return _validator(answer["content"]["application/json"]["schema"])


def error_validator() -> Draft7Validator:
    return _validator({"$ref": "#/components/schemas/ErrorResponse"})


def request_errors(path: str, body: Any) -> list[str]:
    """Why `body` breaks the spec's request schema for `path` (empty when it is valid)."""
    errors = sorted(request_validator(path).iter_errors(body), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(body)'}: {e.message}" for e in errors]


def response_errors(path: str, body: Any, method: str = "post") -> list[str]:
    errors = response_validator(path, method).iter_errors(body)
    return [f"{'/'.join(str(p) for p in e.path) or '(body)'}: {e.message}" for e in errors]
