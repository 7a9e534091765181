"""Folders written by earlier releases of the store (``models/<name>`` a symlink to ``versions/<id>/`` holding
model.json, model.weights.bin and info.json) are taken over as first versions of the current layout at start."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .version_ids import new_vid


def migrate_symlinked_models(root: Path) -> list[str]:
    """Move each symlinked model into ``models/<name>/versions/<id>/`` with a pointer; returns their names."""
    models, moved = root / "models", []
    if not models.is_dir():
        return moved
    for link in sorted(models.iterdir()):
        if not link.is_symlink():
            continue
        old = link.resolve()
        if link.name.startswith(".") or not old.is_dir() or root not in old.parents or \
                not (old / "model.json").is_file():
            link.unlink()  # a staging leftover or a dangling link
            continue
        vid = new_vid()
        staged = root / ".tmp" / f"migrate-{vid}"
        (staged / "versions" / vid).mkdir(parents=True)
        files = [f for f in ("model.weights.bin",) if (old / f).is_file()]
        for name in ["model.json", *files]:
            shutil.copyfile(old / name, staged / "versions" / vid / name)
        info = json.loads((old / "info.json").read_text()) if (old / "info.json").is_file() else None
        (staged / "pointer.json").write_text(json.dumps({"current": vid, "files": files, "info": info,
                                                          "history": []}))
        link.unlink()
        os.rename(staged, link)
        shutil.rmtree(old, ignore_errors=True)
        moved.append(link.name)
    try:
        (root / "versions").rmdir()  # the old layout's folder, once empty
    except OSError:
        pass
    return moved
