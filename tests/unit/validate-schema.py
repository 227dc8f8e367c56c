#!/usr/bin/env python3
"""Validate a JSON document against an OCI runtime-spec schema.

usage: validate-schema.py SCHEMA FILE
  SCHEMA  config | state | features, or a schema file name (config-schema.json)
  FILE    the JSON document, or - for stdin

The schemas refer to each other by file name, so references are resolved
against the schema folder: $OCI_SPEC_DIR/schema (or $OCI_SPEC_DIR itself when
it is the schema folder), else ../shared/oci-runtime-spec/schema next to the
repository.  Exit status: 0 valid, 1 invalid, 2 usage or setup error.
"""
import json
import os
import sys
import warnings


def schema_dir():
    env = os.environ.get("OCI_SPEC_DIR")
    cands = []
    if env:
        cands += [os.path.join(env, "schema"), env]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cands.append(os.path.join(repo, "..", "shared", "oci-runtime-spec", "schema"))
    for c in cands:
        if os.path.isfile(os.path.join(c, "defs.json")):
            return os.path.abspath(c)
    sys.exit("validate-schema: runtime-spec schema folder not found; set OCI_SPEC_DIR")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("validate-schema: python3-jsonschema is not installed", file=sys.stderr)
        return 2
    name, doc_path = sys.argv[1], sys.argv[2]
    if not name.endswith(".json"):
        name += "-schema.json"
    base = schema_dir()
    with open(os.path.join(base, name)) as f:
        schema = json.load(f)
    try:
        if doc_path == "-":
            doc = json.load(sys.stdin)
        else:
            with open(doc_path) as f:
                doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{doc_path}: {e}", file=sys.stderr)
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(base_uri="file://" + base + "/", referrer=schema)
        validator = jsonschema.Draft4Validator(schema, resolver=resolver)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = ".".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"{doc_path}: {where}: {e.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
