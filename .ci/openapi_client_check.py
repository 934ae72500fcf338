"""Generates a Python client from /v3/oas3.json and parses live responses with it.

1. Runs the contract test (tests/core/test_openapi_contract.py), which reads every list and detail
   route, plain and with every include, and writes the document and the responses out.
2. Generates a client from that document with openapi-python-client; a warning (an endpoint or
   a model it could not generate) is a failure.
3. Feeds each response to the generated operation's own parser, and round-trips the result
   through ``to_dict()``. Any exception (a date that is not a string, an enum value it does not
   know, a missing member) is a failure.

Usage: .venv/bin/python .ci/openapi_client_check.py  (from the repository root)
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

PACKAGE = "holidaypark_api_client"


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, text=True, capture_output=True, **kwargs)


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="oas-client-") as tmp:
        tmp_path = Path(tmp)
        dump = tmp_path / "contract.json"
        test = run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/core/test_openapi_contract.py",
            ],
            cwd=root,
            env={**env, "OPENAPI_CONTRACT_DUMP": str(dump)},
        )
        if test.returncode != 0 or not dump.exists():
            print(test.stdout[-5000:], test.stderr[-3000:])
            print("openapi-client: the contract test failed, nothing to parse")
            return 1
        captured = json.loads(dump.read_text())
        document_path = tmp_path / "oas3.json"
        document_path.write_text(json.dumps(captured["document"]))

        generated = run(
            [
                "openapi-python-client",
                "generate",
                "--path",
                str(document_path),
                "--output-path",
                str(tmp_path / PACKAGE),
                "--meta",
                "none",
            ],
            env=env,
        )
        output = generated.stdout + generated.stderr
        if generated.returncode != 0 or "warning" in output.lower():
            print(output)
            print("openapi-client: generating the client failed or warned")
            return 1

        sys.path.insert(0, tmp)
        import httpx

        client_module = importlib.import_module(f"{PACKAGE}.client")
        client = client_module.Client(base_url="http://127.0.0.1", raise_on_unexpected_status=True)
        operation_ids = {
            item["get"]["operationId"]
            for item in captured["document"]["paths"].values()
            if "get" in item
        }
        modules = {}
        for operation_id in operation_ids:
            found = list((tmp_path / PACKAGE / "api").glob(f"*/{operation_id}.py"))
            if len(found) != 1:
                print(f"openapi-client: no generated module for {operation_id}")
                return 1
            tag = found[0].parent.name
            modules[operation_id] = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")

        paths = captured["document"]["paths"]
        passed, failed = 0, 0
        for entry in captured["responses"]:
            operation_id = paths[entry["path"]]["get"]["operationId"]
            response = httpx.Response(
                200,
                json=entry["body"],
                headers={"Content-Type": "application/vnd.api+json"},
            )
            try:
                parsed = modules[operation_id]._parse_response(client=client, response=response)
                if parsed is None:
                    raise ValueError("the client parsed nothing")
                parsed.to_dict()
                passed += 1
            except Exception:  # noqa: BLE001 - every failure is reported, then counted
                failed += 1
                print(f"FAILED {operation_id} {entry['url']} {sorted(entry['query'])}")
                traceback.print_exc(limit=3)
        print(f"openapi-client: {passed} passed, {failed} failed")
        return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
