"""The harness finds the app's functions by name wherever the app keeps them."""

from __future__ import annotations

import inspect

import pytest

from benchmarks.app_api import app_attr, app_module


def test_a_function_is_found_in_the_module_that_defines_it():
    create_poll = app_attr("create_poll")

    assert inspect.isfunction(create_poll)
    assert app_module("create_poll").__name__ == create_poll.__module__
    assert "open_poll" in vars(app_module("create_poll")) or inspect.isfunction(app_attr("open_poll"))


def test_a_constant_is_found_by_its_name():
    assert app_attr("CAST") == "_cast"
    assert set(app_module("tally_yes_no_abstain").CHOICES) == {"yes", "no", "abstain"}


def test_a_name_the_app_does_not_have_is_a_lookup_error():
    with pytest.raises(LookupError):
        app_attr("no_such_function_in_the_app_2026")
