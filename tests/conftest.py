"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from libreoffice import find_soffice, make_profile


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; fails (never skips) when it is missing."""
    return find_soffice()


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One recalculate-always LibreOffice profile per test session (startup is faster)."""
    return make_profile(tmp_path_factory.mktemp("lo-profile"))
