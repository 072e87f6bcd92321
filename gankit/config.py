"""Run configuration: the sections (gankit.config_sections) gathered in `Config`, YAML in and out, strict validation.

A recipe is a partial YAML tree merged onto the defaults; `--set
section.key=value` overrides are applied last. Every failure is a GankitError
that names the key and what it allows.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gankit.atomic import atomic_write
from gankit.config_rules import flatten, validate as validate_rules
from gankit.config_sections import DataConfig, LossConfig, ModelConfig, OptimConfig, TrainConfig
from gankit.config_yaml import load_yaml
from gankit.errors import GankitError

RECIPES_DIR = Path(__file__).parent / "recipes"


@dataclass
class Config:
    description: str = ""           # one line shown by `gankit recipes`
    objective: str = field(default_factory=lambda: default_objective())  # the family that trains (OBJECTIVES)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    g_optim: OptimConfig = field(default_factory=OptimConfig)
    d_optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    # The family's own keys: an instance of its options dataclass, written as a section named after the
    # objective (e.g. `cyclegan: {pool_size: 50}`); None for a family without options. Set by validate().
    options: typing.Any = None


# Keys that stand alone, outside the sections. The allowed values and bounds of the shared keys are in
# gankit.config_rules, those of a family's own keys in its options dataclass.
TOP_LEVEL = ("description", "objective")


def _sections():
    return {f.name: f for f in dataclasses.fields(Config) if f.name != "options"}


def valid_keys() -> list[str]:
    """Every dotted key a recipe or --set may use (each family's own keys under its objective's name)."""
    keys = []
    for name, f in _sections().items():
        if name not in TOP_LEVEL:
            keys += [f"{name}.{sub.name}" for sub in dataclasses.fields(f.default_factory)]
        else:
            keys.append(name)
    for objective, options in family_options().items():
        keys += [f"{objective}.{sub.name}" for sub in dataclasses.fields(options)]
    return keys


def default_objective() -> str:
    """The family a config trains when it names none (gankit.objectives.DEFAULT_OBJECTIVE)."""
    from gankit.objectives import DEFAULT_OBJECTIVE

    return DEFAULT_OBJECTIVE


def family_options() -> dict:
    """objective -> its options dataclass, for every family that has one."""
    from gankit.objectives import OBJECTIVES  # the families import torch; the config needs them only here

    return {name: family.options for name, family in OBJECTIVES.items() if family.options is not None}


def sync_options(cfg: Config) -> Config:
    """Give cfg.options the objective's options type: kept when it has it, else that family's defaults. A
    changed key of another family's options is refused (it would be dropped silently)."""
    wanted = family_options().get(cfg.objective)
    if cfg.options is not None and type(cfg.options) is not wanted:
        owner = next((name for name, t in family_options().items() if type(cfg.options) is t), "?")
        default = type(cfg.options)()
        for f in dataclasses.fields(cfg.options):
            if getattr(cfg.options, f.name) != getattr(default, f.name):
                raise GankitError(f"config key '{owner}.{f.name}' only applies with objective={owner}; remove it or "
                                  f"set objective={owner}.")
        cfg.options = None
    if cfg.options is None and wanted is not None:
        cfg.options = wanted()
    return cfg


def _renamed(cfg: Config, key: str, value, note: bool = True) -> bool:
    """A key of gankit 0.1-0.3 that moved into a family's options: set under its new name when the objective
    is that family's (saying so once unless the value is the default), ignored when it holds another family's
    default (saved configs hold every key), refused otherwise. False when `key` never moved."""
    owners = [(objective, f) for objective, options in family_options().items() for f in dataclasses.fields(options)
              if f.metadata.get("renamed_from") == key]
    if not owners:
        return False
    sync_options(cfg)
    for objective, f in owners:
        if objective == cfg.objective:
            setattr(cfg.options, f.name, _coerce(key, value, typing.get_type_hints(type(cfg.options))[f.name]))
            if note and value != f.default:
                print(f"gankit: config key '{key}' is now '{objective}.{f.name}'; it was read as that.",
                      file=sys.stderr)
            return True
    if all(value == f.default for _, f in owners):
        return True
    names = " or ".join(f"{objective}.{f.name}" for objective, f in owners)
    objectives = ", ".join(objective for objective, _ in owners)
    raise GankitError(f"config key '{key}' (now {names}) only applies with objective={objectives}; remove it or "
                      f"set objective={owners[0][0]}.")


def _unknown(key: str) -> GankitError:
    near = difflib.get_close_matches(key, valid_keys(), n=1, cutoff=0.5)
    hint = f"; did you mean '{near[0]}'?" if near else "; see `gankit train RECIPE --dry-run` for the keys."
    return GankitError(f"unknown config key '{key}'{hint}")


def _describe(tp) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(key: str, value, tp):
    """Check `value` against the annotated type `tp`; return it (ints widen to float)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)][0]
        return _coerce(key, value, inner)
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise GankitError(f"config key '{key}' must be a list of {_describe(args[0])}, got {value!r}.")
        return [_coerce(key, v, args[0]) for v in value]
    if tp is bool:
        if not isinstance(value, bool):
            raise GankitError(f"config key '{key}' must be true or false, got {value!r}.")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise GankitError(f"config key '{key}' must be a whole number, got {value!r}.")
        return value
    if tp is float:
        if isinstance(value, str):  # YAML 1.1 reads 1e-4 (no dot) as text
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise GankitError(f"config key '{key}' must be a number, got {value!r}.")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise GankitError(f"config key '{key}' must be text, got {value!r}.")
        return value
    raise TypeError(f"unsupported config type {tp} for {key}")


def _set(cfg: Config, key: str, value, note: bool = True) -> None:
    section, _, sub = key.partition(".")
    fields = _sections()
    if section in family_options():
        _set_option(cfg, key, section, sub, value)
        return
    if section not in fields:
        if _renamed(cfg, key, value, note):
            return
        raise _unknown(key)
    if not sub:
        if section not in TOP_LEVEL:
            raise GankitError(f"config key '{key}' is a section; set one of its keys, e.g. '{section}.{dataclasses.fields(getattr(cfg, section))[0].name}'.")
        setattr(cfg, section, _coerce(key, value, str))
        if section == "objective":
            sync_options(cfg)
        return
    target = getattr(cfg, section)
    if not dataclasses.is_dataclass(target):
        raise _unknown(key)
    hints = typing.get_type_hints(type(target))
    if sub not in hints:
        if _renamed(cfg, key, value, note):
            return
        raise _unknown(key)
    setattr(target, sub, _coerce(key, value, hints[sub]))


def _set_option(cfg: Config, key: str, objective: str, sub: str, value) -> None:
    """One of a family's own keys (`objective.sub`); only the objective's own family has them."""
    if objective != cfg.objective:
        raise GankitError(f"config key '{key}' only applies with objective={objective}; remove it or set "
                          f"objective={objective} (before it, when both are given).")
    sync_options(cfg)
    hints = typing.get_type_hints(type(cfg.options))
    if not sub:
        raise GankitError(f"config key '{key}' is a section; set one of its keys, e.g. '{objective}."
                          f"{next(iter(hints))}'.")
    if sub not in hints:
        raise _unknown(key)
    setattr(cfg.options, sub, _coerce(key, value, hints[sub]))


def to_dict(cfg: Config) -> dict:
    """The config as a plain nested dict (YAML-ready); the family's own keys under its objective's name."""
    tree = {name: (dataclasses.asdict(getattr(cfg, name)) if dataclasses.is_dataclass(getattr(cfg, name))
                   else getattr(cfg, name)) for name in _sections()}
    if cfg.options is not None and dataclasses.fields(cfg.options):
        tree[cfg.objective] = dataclasses.asdict(cfg.options)
    return tree


def from_dict(tree: dict, source: str = "config", note_renames: bool = True) -> Config:
    """Build a Config from a (partial) nested dict (the objective first, so its family's keys are known);
    validate() checks its values. A key of an older gankit that moved is read under its new name, saying so
    on stderr unless note_renames is False."""
    if not isinstance(tree, dict):
        raise GankitError(f"{source} must be a YAML mapping of sections (data, model, loss, ...).")
    cfg = Config()
    flat = flatten(tree)
    for key in sorted(flat, key=lambda k: k != "objective"):
        _set(cfg, key, flat[key], note_renames)
    return cfg


def validate(cfg: Config) -> Config:
    """Check the objective, the family's own keys and every shared key's choices, bounds and cross-key rules."""
    from gankit.objectives import OBJECTIVES

    if cfg.objective not in OBJECTIVES:
        near = difflib.get_close_matches(cfg.objective, list(OBJECTIVES), n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise GankitError(f"unknown objective '{cfg.objective}'; {hint}use one of: {', '.join(OBJECTIVES)}.")
    sync_options(cfg)
    return validate_rules(cfg, OBJECTIVES[cfg.objective])


def parse_override(text: str) -> tuple[str, object]:
    """Split 'section.key=value', reading the value as YAML (so 1e-4, true, [1, 2] work)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise GankitError(f"override '{text}' is not of the form key=value, e.g. train.steps=100.")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def apply_overrides(cfg: Config, overrides: list[str]) -> Config:
    """Apply --set overrides in order and validate the result."""
    for text in overrides:
        key, value = parse_override(text)
        _set(cfg, key, value)
    return validate(cfg)


def list_recipes() -> dict[str, str]:
    """Recipe name -> its one-line description."""
    out = {}
    for path in sorted(RECIPES_DIR.glob("*.yaml")):
        tree = yaml.safe_load(path.read_text()) or {}
        out[path.stem] = tree.get("description", "")
    return out


def resolve_recipe(name_or_path: str) -> Path:
    """A recipe name or a YAML path -> the YAML file, or a clear error."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise GankitError(f"config file {path} does not exist; give a recipe name (see `gankit recipes`) or a YAML path.")
        return path
    candidate = RECIPES_DIR / f"{name_or_path}.yaml"
    if candidate.is_file():
        return candidate
    names = list(list_recipes())
    near = difflib.get_close_matches(name_or_path, names, n=1, cutoff=0.4)
    hint = f"did you mean '{near[0]}'?" if near else f"choose one of: {', '.join(names)}."
    raise GankitError(f"no recipe named '{name_or_path}'; {hint}")


def load_config(name_or_path: str, overrides: list[str] | None = None) -> Config:
    """Load a recipe or YAML file, apply overrides, validate."""
    path = resolve_recipe(name_or_path)
    cfg = from_dict(load_yaml(path), source=str(path))
    return apply_overrides(cfg, overrides or [])


def save_config(cfg: Config, path: Path) -> None:
    """Write the resolved config as YAML, atomically: a reader (another torchrun process) never sees half a file."""
    text = dump_config(cfg).encode()
    atomic_write(path, lambda handle: handle.write(text))


def dump_config(cfg: Config) -> str:
    """The resolved config as YAML text."""
    return yaml.safe_dump(to_dict(cfg), sort_keys=False)
