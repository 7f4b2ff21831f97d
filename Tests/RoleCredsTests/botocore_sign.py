#!/usr/bin/env python3
"""Builds and signs STS requests with botocore, offline, for Tests/RoleCredsTests/BotocoreTests.swift.

Usage: botocore_sign.py CASES.json
CASES.json is a list of objects: {"operation", "params" (the API parameters), "endpoint", "region",
"access_key", "secret_key", "token" (or null), "time" (Unix seconds)}. Prints one JSON list with, for each
case, the form body botocore's query serializer writes and the headers SigV4Auth adds (AssumeRole only;
AssumeRoleWithWebIdentity is unsigned, as botocore sends it). Reads no configuration, opens no socket.
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.loaders
import botocore.model
import botocore.serialize


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    model = botocore.model.ServiceModel(botocore.loaders.Loader().load_service_model("sts", "service-2"), "sts")
    serializer = botocore.serialize.create_serializer("query", include_validation=True)
    out = []
    for case in cases:
        operation = model.operation_model(case["operation"])
        request_dict = serializer.serialize_to_request(case["params"], operation)
        botocore.awsrequest.prepare_request_dict(request_dict, endpoint_url=case["endpoint"])
        request = botocore.awsrequest.create_request_object(request_dict)
        result = {"body": request.body.decode("utf-8"), "content_type": request.headers["Content-Type"]}
        if case["operation"] == "AssumeRole":
            credentials = botocore.credentials.Credentials(case["access_key"], case["secret_key"], case["token"])
            at = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
                botocore.auth.SigV4Auth(credentials, "sts", case["region"]).add_auth(request)
            for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
                result[name] = request.headers.get(name)
        out.append(result)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
