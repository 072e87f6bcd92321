"""Shared helpers for the gankit.viz tests."""

import pytest
from PIL import Image


def assert_png(path):
    """Assert ``path`` is a non-empty PNG that PIL can read; return its size."""
    assert path.exists() and path.stat().st_size > 0
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        picture.load()
        return picture.size


def assert_no_temp_files(folder):
    """Assert an atomic writer left nothing but finished files behind."""
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.fixture
def png_checks():
    return assert_png, assert_no_temp_files
