#!/usr/bin/env python3
"""validate.py SCHEMA_DIR SCHEMA_FILE DOCUMENT... — validate JSON documents against a JSON
schema whose $refs name sibling files (the CycloneDX schemas as the @cyclonedx/cyclonedx-library
npm package ships them: bom-1.6.SNAPSHOT.schema.json refers to spdx.SNAPSHOT.schema.json and
jsf-0.82.SNAPSHOT.schema.json). Every schema file of SCHEMA_DIR is registered both under its
$id and under its file name beside the main schema's $id, so those references resolve offline.
Prints each error with its JSON path; exit 1 when a document does not validate."""
import json
import os
import sys
import warnings

import jsonschema


def main() -> int:
    schema_dir, schema_file, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    store = {}
    with open(os.path.join(schema_dir, schema_file)) as f:
        main_schema = json.load(f)
    base = main_schema.get("$id", "")
    base_dir = base[: base.rfind("/") + 1]
    for name in os.listdir(schema_dir):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(schema_dir, name)) as f:
            s = json.load(f)
        if "$id" in s:
            store[s["$id"]] = s
        store[base_dir + name] = s
    warnings.simplefilter("ignore", DeprecationWarning)
    cls = jsonschema.validators.validator_for(main_schema)
    resolver = jsonschema.RefResolver(base, main_schema, store=store)
    validator = cls(main_schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
    failed = 0
    for doc in docs:
        with open(doc) as f:
            data = json.load(f)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        for e in errors[:20]:
            print(f"{doc}: $.{'.'.join(str(p) for p in e.path)}: {e.message[:300]}")
        if errors:
            failed += 1
        else:
            print(f"{doc}: valid against {schema_file}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
