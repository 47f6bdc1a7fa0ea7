"""Tests wait on a condition, never for a fixed time (a fixed sleep is flaky by design).

A `time.sleep(<constant>)` outside a loop is a bet that something happens within that time.
Sleeps inside a polling loop (`while not ready: sleep`) wait on a condition, and a sleep of a
random length (the crash tests kill a process at a random moment) is the point of the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _fixed_sleeps(tree: ast.AST) -> list[int]:
    found: list[int] = []

    def visit(node: ast.AST, in_loop: bool) -> None:
        if isinstance(node, ast.Call) and not in_loop:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "sleep" and node.args and isinstance(node.args[0], ast.Constant):
                found.append(node.lineno)
        loop = in_loop or isinstance(node, ast.While | ast.For)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            loop = False  # a function defined in a loop runs wherever it is called
        for child in ast.iter_child_nodes(node):
            visit(child, loop)

    visit(tree, False)
    return found


def test_the_guard_finds_a_fixed_sleep():
    code = "import time\ndef f():\n    time.sleep(0.3)\n    while x:\n        time.sleep(0.1)\n"
    assert _fixed_sleeps(ast.parse(code)) == [3]


def test_no_test_sleeps_a_fixed_time():
    offenders = [f"{path.relative_to(TESTS)}:{line}" for path in sorted(TESTS.rglob("*.py"))
                 for line in _fixed_sleeps(ast.parse(path.read_text()))]
    assert offenders == [], "wait on a condition instead (threading.Event, Condition.wait_for)"
