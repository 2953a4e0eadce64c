#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check Kubernetes manifests against the Kubernetes API's own types.

	validate.py FILE...     exit 0 when every document of every file is valid,
	                        1 with one line per problem otherwise

The types are those of Debian's python3-kubernetes: the client's models are
generated from the Kubernetes API's OpenAPI specification, one class per
API type, each listing its fields (openapi_types, attribute_map) and
rejecting a missing required field in its setters. The client itself ignores
fields it does not know when it reads an object; this checker does not: like
`kubectl apply --validate=strict`, an unknown field (`hostPid` for
`hostPID`) is an error naming it, as is a value of the wrong type (a string
where the API wants an integer) or a required field left out. Every problem
is reported as FILE: DOC: PATH: MESSAGE, PATH written as in kubectl
(spec.template.spec.containers[0].readinessProbe.httpGet).

What it does not know: fields added to the API after the client's version
(python3-kubernetes 22.6 is Kubernetes 1.22), and the checks the API server
makes beyond the schema (name syntax, quantities, enum values).
"""
import difflib
import re
import sys

import yaml

try:
    import kubernetes.client as models
    from kubernetes.client.configuration import Configuration
except ImportError:
    print("validate.py: python3-kubernetes is not installed (apt-get install python3-kubernetes)",
          file=sys.stderr)
    sys.exit(2)

MAX_DEPTH = 64


class StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in a mapping (the
    API server's strict decoding does; PyYAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)
_required_cache = {}


def api_serves(api_version, kind):
    """
    Does the API group version serve @kind? The client's API class of the
    group version (apps/v1: AppsV1Api, v1: CoreV1Api) has a create method
    for each kind it serves (create_namespaced_daemon_set, create_namespace).
    """
    group, _, version = api_version.rpartition("/")
    words = re.split(r"[.-]", group.removesuffix(".k8s.io")) if group else ["core"]
    api = getattr(models, "".join(w.capitalize() for w in words) + version.capitalize() + "Api",
              None)
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()
    return api is not None and (hasattr(api, f"create_namespaced_{snake}") or
                    hasattr(api, f"create_{snake}"))


def model_for(api_version, kind):
    """The model class of (apiVersion, kind), or None."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    if not re.fullmatch(r"([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?", api_version):
        return None
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", kind) or not api_serves(api_version, kind):
        return None
    version = api_version.rsplit("/", 1)[-1]
    klass = getattr(models, version.capitalize() + kind, None)
    if klass is None or not hasattr(klass, "openapi_types"):
        return None
    return klass


def required_fields(klass):
    """The attributes whose setter refuses None (the API's required fields)."""
    if klass in _required_cache:
        return _required_cache[klass]
    obj = klass.__new__(klass)
    obj.local_vars_configuration = Configuration()
    req = []
    for attr in klass.openapi_types:
        try:
            setattr(obj, attr, None)
        except ValueError:
            req.append(attr)
    _required_cache[klass] = req
    return req


def describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Checker:
    def __init__(self, where):
        self.where = where
        self.errors = []

    def error(self, path, msg):
        self.errors.append(f"{self.where}: {path or '(document)'}: {msg}")

    def check(self, value, typ, path, depth=0):
        if depth > MAX_DEPTH:
            self.error(path, "nested too deeply")
            return
        if value is None:
            return  # an explicit null is the field left out
        m = re.fullmatch(r"list\[(.+)\]", typ)
        if m:
            self.check_list(value, m.group(1), path, depth)
            return
        m = re.fullmatch(r"dict\(str, (.+)\)", typ)
        if m:
            self.check_map(value, m.group(1), path, depth)
            return
        if typ == "object":
            return  # IntOrString, RawExtension...: anything
        if typ in ("str", "date", "datetime"):
            ok = isinstance(value, str)
        elif typ == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif typ == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif typ == "bool":
            ok = isinstance(value, bool)
        else:
            self.check_model(value, getattr(models, typ), path, depth)
            return
        if not ok:
            self.error(path, f"expected {typ}, got {describe(value)} ({value!r})")

    def check_list(self, value, item, path, depth):
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {describe(value)}")
            return
        for i, v in enumerate(value):
            self.check(v, item, f"{path}[{i}]", depth + 1)

    def check_map(self, value, item, path, depth):
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {describe(value)}")
            return
        for k, v in value.items():
            if not isinstance(k, str):
                self.error(path, f"key {k!r} is not a string")
            self.check(v, item, f"{path}.{k}" if path else str(k), depth + 1)

    def check_model(self, value, klass, path, depth):
        name = klass.__name__
        if not isinstance(value, dict):
            self.error(path, f"expected a {name} mapping, got {describe(value)}")
            return
        by_json = {j: a for a, j in klass.attribute_map.items()}
        for key, v in value.items():
            sub = f"{path}.{key}" if path else str(key)
            attr = by_json.get(key)
            if attr is None:
                near = difflib.get_close_matches(str(key), by_json, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.error(sub, f"unknown field '{key}' in {name}{hint}")
                continue
            self.check(v, klass.openapi_types[attr], sub, depth + 1)
        for attr in required_fields(klass):
            if value.get(klass.attribute_map[attr]) is None:
                field = klass.attribute_map[attr]
                self.error(path, f"missing required field '{field}' of {name}")


def check_document(where, doc):
    c = Checker(where)
    if not isinstance(doc, dict):
        c.error("", f"expected a mapping, got {describe(doc)}")
        return c.errors
    klass = model_for(doc.get("apiVersion"), doc.get("kind"))
    if klass is None:
        c.error("", f"unknown apiVersion/kind {doc.get('apiVersion')!r}/{doc.get('kind')!r}")
        return c.errors
    c.check_model(doc, klass, "", 0)
    return c.errors


def check_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            docs = list(yaml.load_all(f, Loader=StrictLoader))
    except (OSError, yaml.YAMLError) as e:
        return [f"{path}: {e}"], 0
    errors = []
    n = 0
    for i, doc in enumerate(docs):
        if doc is None:
            continue  # an empty document (a trailing ---)
        n += 1
        kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
        name = (doc.get("metadata") or {}).get("name", "?") if isinstance(doc, dict) else "?"
        errors += check_document(f"{path}: document {i + 1} ({kind} {name})", doc)
    return errors, n


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failed = False
    for path in argv:
        errors, n = check_file(path)
        for e in errors:
            print(e)
        if errors:
            failed = True
        else:
            print(f"{path}: ok, {n} object{'s' if n != 1 else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
