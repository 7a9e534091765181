"""``python -m tfjs_server``: the app server and model store (what ``build.py serve`` runs), for scripts and tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from .app import serve


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """The model store's options, shared with ``build.py serve``."""
    parser.add_argument("--store", default=None,
                        help="a folder, or s3://bucket/prefix (credentials from the standard AWS environment "
                             "variables or config files)")
    parser.add_argument("--token", default=None, help="the Bearer token writes need (default: "
                                                        "$TFJS_STORE_TOKEN, else a random one, printed)")
    parser.add_argument("--s3-endpoint", default=None,
                        help="an S3-compatible endpoint URL (default: $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL, "
                             "else AWS)")
    parser.add_argument("--s3-region", default=None, help="the bucket's region (default: $AWS_REGION)")
    parser.add_argument("--grace-s", type=float, default=120.0,
                        help="seconds a replaced version stays readable before it may be collected")
    parser.add_argument("--keep-versions", type=int, default=2,
                        help="replaced versions kept regardless of age")


def store_kwargs(args: argparse.Namespace) -> dict:
    return {"store_dir": args.store, "token": args.token, "endpoint_url": args.s3_endpoint,
            "region": args.s3_region, "grace_s": args.grace_s, "keep_versions": args.keep_versions}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tfjs_server", description=__doc__)
    parser.add_argument("--dist", type=Path, required=True, help="the built app (build.py's dist/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    add_store_options(parser)
    args = parser.parse_args(argv)
    serve(args.dist, host=args.host, port=args.port, **store_kwargs(args))


if __name__ == "__main__":
    main()
