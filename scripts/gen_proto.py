"""Generate the gRPC stubs from proto/ into build/gen (never committed: the build makes them)."""

from __future__ import annotations

import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
OUT = ROOT / "build" / "gen"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    include = str(Path(protoc.__file__).parent / "_proto")
    code: int = protoc.main(
        ["protoc", f"-I{PROTO}", f"-I{include}", f"--python_out={OUT}",
         f"--grpc_python_out={OUT}", f"--pyi_out={OUT}", *sources]
    )
    if code != 0:
        print(f"protoc failed with exit code {code}", file=sys.stderr)
        return code
    # Packages, so that setuptools and mypy see the generated tree like any other.
    for folder in [OUT / "campaign", *(p for p in (OUT / "campaign").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
