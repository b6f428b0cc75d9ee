"""The OASIS TAXII client (taxii2-client) against Muninn's TAXII server.

Discovers the server with HTTP Basic authentication, lists the collections, adds COUNT
objects in one envelope, reads the status back, pages through every object with as_pages
(while the test adds more objects concurrently) and checks that none is returned twice and
none of those it added is missing, checks that the manifest is in strictly increasing
date_added order, reads one object and its versions, and deletes one.

Usage: interop.py URL USER PASSWORD COUNT TAG. Prints one JSON line; exits 1 on a failure.
"""
import json
import sys

from requests.exceptions import HTTPError
from taxii2client.v21 import Server, as_pages


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def indicator(tag, n):
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--%08x-0000-4000-8000-%012x" % (tag, n),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "interop %d" % n,
        "pattern": "[ipv4-addr:value = '203.0.113.%d']" % (n % 250),
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    }


def main():
    url, user, password, count, tag = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    server = Server(url, user=user, password=password)
    if len(server.api_roots) != 1 or server.default is None:
        fail("expected one default API root, got %r" % server._raw)
    root = server.default
    if root.max_content_length <= 0 or "application/taxii+json;version=2.1" not in root.versions:
        fail("API root: %r" % root._raw)
    collections = {collection.title: collection for collection in root.collections}
    shared = collections.get("shared")
    if shared is None or not (shared.can_read and shared.can_write):
        fail("no readable and writable 'shared' collection: %r" % sorted(collections))

    objects = [indicator(tag, n) for n in range(count)]
    status = shared.add_objects({"objects": objects})
    if status.status != "complete" or status.success_count != count or status.failure_count != 0:
        fail("add: %r" % status._raw)
    again = root.get_status(status.id)
    if again.success_count != count or again.total_count != count:
        fail("status: %r" % again._raw)

    seen = []
    pages = 0
    for envelope in as_pages(shared.get_objects, per_request=1000):
        pages += 1
        seen.extend(obj["id"] for obj in envelope.get("objects", []))
    if len(seen) != len(set(seen)):
        fail("%d objects returned twice" % (len(seen) - len(set(seen))))
    missing = {obj["id"] for obj in objects} - set(seen)
    if missing:
        fail("%d added objects never returned, e.g. %s" % (len(missing), sorted(missing)[:3]))

    dates = []
    for envelope in as_pages(shared.get_manifest, per_request=1000):
        dates.extend(record["date_added"] for record in envelope.get("objects", []))
    if any(earlier >= later for earlier, later in zip(dates, dates[1:])):
        fail("manifest not in strictly increasing date_added order")

    first = objects[0]
    one = shared.get_object(first["id"])
    if one.get("objects") != [first]:
        fail("get_object: %r" % one)
    versions = shared.object_versions(first["id"])
    if versions.get("versions") != [first["modified"]]:
        fail("object_versions: %r" % versions)
    shared.delete_object(objects[1]["id"])
    try:
        shared.get_object(objects[1]["id"])
        fail("a deleted object is still served")
    except HTTPError as error:
        if error.response.status_code != 404:
            fail("after delete: %s" % error)

    print(json.dumps({"ok": True, "seen": len(seen), "pages": pages, "manifest": len(dates)}))


if __name__ == "__main__":
    main()
