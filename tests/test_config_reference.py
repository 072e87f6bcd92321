"""docs/configuration.md is generated from the config's declarations: it must list every key and match what
the generator writes today (regenerate with `python -m gankit.config_reference > docs/configuration.md`)."""

import re
from pathlib import Path

from gankit.config import TOP_LEVEL, valid_keys
from gankit.config_reference import reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_key_has_a_row_with_what_it_does():
    rows = dict(re.findall(r"^\| `([\w.]+)` \|.*\| (.+) \|$", reference(), flags=re.M))
    missing = [k for k in valid_keys() if k not in TOP_LEVEL and k not in rows]
    assert not missing, f"keys without a row: {missing}"
    assert all(doc.strip() for doc in rows.values()), [k for k, doc in rows.items() if not doc.strip()]


def test_the_committed_page_is_what_the_code_generates():
    assert PAGE.read_text() == reference(), ("docs/configuration.md is stale: run `python -m gankit.config_reference "
                                             "> docs/configuration.md`")
