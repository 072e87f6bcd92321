"""Reading a config file: plain YAML only (no tags, no key written twice), one sentence for anything in the way."""

from __future__ import annotations

from pathlib import Path

import yaml

from gankit.errors import GankitError


class _StrictLoader(yaml.SafeLoader):
    """yaml's safe loader, refusing a key written twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise GankitError(f"'{key}' is written twice at line {key_node.start_mark.line + 1} of "
                                  f"{self.name}; keep one.")
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(path: Path) -> dict:
    """Read a YAML file as a non-empty dict, with one sentence for whatever stands in the way."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GankitError(f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}); "
                          "save it as UTF-8.") from None
    except OSError as exc:
        raise GankitError(f"cannot read {path} ({exc.strerror}); check the path.") from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        tree = loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        tag = (exc.problem or "").partition("tag '")[2].rstrip("'").replace("tag:yaml.org,2002:", "!!")
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise GankitError(f"{path} uses the tag {tag or 'it has'} at line {line}; gankit reads plain YAML only "
                          "(no Python objects): remove the tag.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise GankitError(f"{path} is not valid YAML{where}; fix the file and try again.") from None
    finally:
        loader.dispose()
    if tree is None:
        raise GankitError(f"{path} holds no settings; write the keys to change (see `gankit train RECIPE "
                          "--dry-run` for a whole config), or train a recipe by name.")
    return tree
