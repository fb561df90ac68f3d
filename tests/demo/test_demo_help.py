"""``koula demo --help`` names every port the demo takes (koula_demo/cli.py)."""

from __future__ import annotations

import pytest

from koula.cli import main


def test_the_help_says_the_learning_record_store_takes_the_third_port_after(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "learning record store (xAPI, when Ralph is installed) the third" in said
