"""Every `gankit ...` command shown in README.md and docs/ still parses, and every `gankit train` one names a
recipe and config keys that exist with values they allow (resolved as --dry-run does), so no documented
flag, recipe or key goes stale. Synopsis lines (with [optional] parts or a|b choices) are skipped."""

import re
import shlex
from pathlib import Path

import pytest

from gankit import api
from gankit.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def documented_commands() -> list[tuple[str, str]]:
    """(file, command) for each gankit command in a shell block (torchrun's `-m gankit` ones too)."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(), flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split(" #")[0].strip()
                match = re.search(r"(?:^|-m )gankit (.*)$", line)
                if match and not re.search(r"\[|\||\.\.\.", match.group(1)):
                    found.append((page.name, match.group(1)))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("page, command", COMMANDS, ids=[f"{p}: {c}" for p, c in COMMANDS])
def test_a_documented_command_parses_and_its_recipe_resolves(page, command):
    argv = shlex.split(command)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"{page}: `gankit {command}` no longer parses")
    if argv[0] == "train" and not args.resume:
        api.resolve(args.recipe, args.set)  # the recipe exists and every --set key and value is allowed


def test_every_relative_link_and_picture_in_the_docs_exists():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert not broken, broken


def test_every_recipe_has_a_row_on_the_recipes_page():
    page = (ROOT / "docs" / "recipes.md").read_text()
    recipes = sorted(p.stem for p in (ROOT / "gankit" / "recipes").glob("*.yaml"))
    assert len(recipes) > 30
    assert [name for name in recipes if f"`{name}`" not in page] == []
