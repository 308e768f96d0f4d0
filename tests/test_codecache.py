"""The code the ``terrain`` program compiles through the user's cache is the code
``compile()`` gives: attrs classes built from the cache behave as the others, a
source, interpreter or flag that changed is compiled again, a damaged or foreign
file is never read, and a folder others may write to is not used."""

from __future__ import annotations
import __future__

import builtins
import keyword
import marshal
import os
from pathlib import Path
from typing import Any

import attr._make
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._codecache import CodeCache, _canonical, install


def _same(a: Any, b: Any) -> bool:
    """Equal code objects down to names, file names, positions and every constant
    (marshal's version 2 writes each object whole, without shared references)."""
    return marshal.dumps(a, 2) == marshal.dumps(b, 2)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


_HASH_SCRIPT = """\
def __hash__(self):
        return hash((
{indent}{number},
{fields}            ))
"""


@st.composite
def _hash_scripts(draw: st.DrawFn) -> str:
    """A ``__hash__`` as attrs writes it: a number (any width, any sign: the hash of a
    text in one process) then the fields (none: the tuple is one folded constant)."""
    number = draw(st.integers(min_value=-(2**63), max_value=2**63 - 1))
    names = draw(st.lists(st.sampled_from(["a", "b", "when", "n9", "x99"]), unique=True))
    fields = "".join(f"                self.{n},\n" for n in names)
    if draw(st.booleans()):  # a constant elsewhere that looks like a placeholder
        fields += f"                {'9' * len(str(abs(number)))},\n"
    return _HASH_SCRIPT.format(indent=" " * draw(st.integers(4, 16)), number=number,
                               fields=fields)


@settings(max_examples=200, deadline=None)
@given(source=_hash_scripts(), future=st.booleans())
def test_code_from_the_cache_is_the_code_compile_gives(
    tmp_path_factory: pytest.TempPathFactory, source: str, future: bool
) -> None:
    """Written by one process, read by the next (another cache on the same folder): the
    same code as compile(), with the number put back where the placeholder was."""
    folder = tmp_path_factory.mktemp("code")
    flags = __future__.annotations.compiler_flag if future else 0
    expected = builtins.compile(source, "<attrs generated methods m.C>", "exec", flags, True)
    first = CodeCache(str(folder)).compile(source, "<attrs generated methods m.C>", "exec",
                                           flags, True)
    second = CodeCache(str(folder))
    again = second.compile(source, "<attrs generated methods m.C>", "exec", flags, True)
    assert _same(first, expected)
    assert _same(again, expected)
    assert second.hits == 1


def test_numbers_of_every_usual_width_are_read_from_one_file(tmp_path: Path) -> None:
    """The number differs in every process: one compilation serves the next ones."""
    cache = CodeCache(str(tmp_path))
    for number in (8789432743170347811, -6773675319491671034, 912345678901234567,
                   -112345678901234567, 12345678901234567):
        source = _HASH_SCRIPT.format(indent="        ", number=number, fields="")
        assert _same(cache.compile(source, "<h>", "exec", 0, True),
                     builtins.compile(source, "<h>", "exec", 0, True))
    assert (cache.misses, cache.hits, cache.widths) == (1, 4, 0)
    source = _HASH_SCRIPT.format(indent="        ", number=1234567890123, fields="")
    assert _same(cache.compile(source, "<h>", "exec", 0, True),
                 builtins.compile(source, "<h>", "exec", 0, True))  # a rare width
    assert (cache.misses, cache.hits, cache.widths) == (1, 4, 1)
    assert CodeCache(str(tmp_path)).compile(source, "<h>", "exec", 0, True)
    assert len(_files(tmp_path)) == 7  # one file per width: a process reads one code


def test_a_small_number_or_a_placeholder_in_the_source_is_kept_as_it_is() -> None:
    small = _HASH_SCRIPT.format(indent="    ", number=-12, fields="")
    assert _canonical(small) == (small, "", 0)
    clash = _HASH_SCRIPT.format(indent="    ", number=1234567, fields="    9999999,\n")
    assert _canonical(clash) == (clash, "", 0)
    marked = "x = '\x00type-hash\x00'\n"
    assert _canonical(marked) is None


@st.composite
def _class_specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
            lambda n: not keyword.iskeyword(n)),
        unique=True, max_size=5,
    ))  # fmt: skip
    return {
        "names": names,
        "frozen": draw(st.booleans()),
        "order": draw(st.booleans()),
        "slots": draw(st.booleans()),
        "validated": draw(st.booleans()),
    }


def _build(spec: dict[str, Any]) -> type:
    names = spec["names"]
    assert isinstance(names, list)
    validator = attrs.validators.instance_of(int) if spec["validated"] else None
    fields = {n: attrs.field(validator=validator, default=i) for i, n in enumerate(names)}
    return attrs.make_class(
        "Model", fields, frozen=spec["frozen"], order=spec["order"], slots=spec["slots"],
        eq=True,
    )


@settings(max_examples=60, deadline=None)
@given(spec=_class_specs(), values=st.lists(st.integers(), min_size=5, max_size=5))
def test_an_attrs_class_built_from_the_cache_behaves_as_one_built_without(
    tmp_path_factory: pytest.TempPathFactory, spec: dict[str, Any], values: list[int]
) -> None:
    """Equality, hashing, order, repr, defaults and validators: the same, from the
    first process that writes the cache to the next that reads it."""
    folder = tmp_path_factory.mktemp("code")
    plain = _build(spec)
    try:
        install(CodeCache(str(folder)), ["attr._make"])  # what the program does
        writing = _build(spec)
        reader = CodeCache(str(folder))
        install(reader, ["attr._make"])
        reading = _build(spec)
    finally:
        del attr._make.compile  # type: ignore[attr-defined]
    assert "compile" not in vars(attr._make)
    assert reader.hits >= 1
    assert reader.misses == 0
    names = spec["names"]
    assert isinstance(names, list)
    args = dict(zip(names, values, strict=False))
    for built in (writing, reading):
        for method in ("__init__", "__eq__", "__repr__", "__hash__", "__lt__"):
            ours, theirs = getattr(built, method, None), getattr(plain, method, None)
            if hasattr(theirs, "__code__"):
                assert _same(ours.__code__, theirs.__code__), method  # type: ignore[union-attr]
        a, b = built(**args), plain(**args)
        assert repr(a) == repr(b)
        assert (a == built(**args)) is (b == plain(**args))
        if spec["frozen"]:
            assert hash(a) == hash(built(**args))
        if spec["order"] and names:
            assert (a < built(**args)) is (b < plain(**args))
        if spec["validated"] and names:
            with pytest.raises(TypeError):
                built(**{names[0]: "not a number"})


def _one_file(folder: Path) -> Path:
    (only,) = _files(folder)
    return only


def test_a_damaged_file_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    source = "def f(x):\n    return x + 1\n"
    CodeCache(str(tmp_path)).compile(source, "<g>", "exec", 0, True)
    kept = _one_file(tmp_path)
    kept.write_bytes(kept.read_bytes()[:40])  # a crash half-way, a full disk
    cache = CodeCache(str(tmp_path))
    assert _same(cache.compile(source, "<g>", "exec", 0, True),
                 builtins.compile(source, "<g>", "exec", 0, True))
    assert cache.misses == 1
    assert CodeCache(str(tmp_path)).compile(source, "<g>", "exec", 0, True)
    assert marshal.loads(kept.read_bytes())[4] == source


@pytest.mark.parametrize(("field", "other"), [
    (0, "cpython-311 another build"),  # another interpreter
    (1, "eval"),  # another mode
    (2, 1 << 24),  # other flags (``from __future__ import annotations``)
    (3, "<another file name>"),
    (4, "def f(x):\n    return x + 2\n"),  # another source: the class changed
    (5, "99999"),  # another placeholder
])  # fmt: skip
def test_a_file_holding_another_key_is_not_read(
    tmp_path: Path, field: int, other: object
) -> None:
    """A file is read only when everything compile() depends on is what it holds: a
    file of the same name holding another key (a new attrs, another Python, a
    checksum shared by two sources) is compiled again."""
    source = "def f(x):\n    return x + 1\n"
    CodeCache(str(tmp_path)).compile(source, "<g>", "exec", 0, True)
    kept = _one_file(tmp_path)
    stored = list(marshal.loads(kept.read_bytes()))
    stored[field] = other
    stored[6] = builtins.compile("def f(x):\n    return -1\n", "<g>", "exec")
    kept.write_bytes(marshal.dumps(tuple(stored)))
    cache = CodeCache(str(tmp_path))
    namespace: dict[str, Any] = {}
    exec(cache.compile(source, "<g>", "exec", 0, True), namespace)
    assert namespace["f"](1) == 2
    assert cache.misses == 1


def test_compile_inherits_the_callers_future_flags_as_the_builtin_does(tmp_path: Path) -> None:
    """attrs compiles from a module with ``from __future__ import annotations``: the
    generated code has its annotations as text there, as without the cache."""
    source = "def f(x: int) -> int:\n    return x\n"
    cache = CodeCache(str(tmp_path))
    ours: dict[str, Any] = {}
    exec(cache.compile(source, "<g>", "exec"), ours)  # this module's futures
    theirs: dict[str, Any] = {}
    exec(compile(source, "<g>", "exec"), theirs)
    assert ours["f"].__annotations__ == theirs["f"].__annotations__ == {
        "x": "int", "return": "int"}


def test_what_is_not_the_compilation_of_a_text_is_left_to_compile(tmp_path: Path) -> None:
    import ast

    cache = CodeCache(str(tmp_path))
    tree = cache.compile("x = 1", "<g>", "exec", ast.PyCF_ONLY_AST)
    assert isinstance(tree, ast.Module)
    cache.compile(b"x = 1", "<g>", "exec")
    cache.compile("x = 1", "<g>", "exec", optimize=2)
    assert _files(tmp_path) == []
    assert cache.hits == cache.misses == 0


def test_a_folder_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    cache = CodeCache(str(folder))
    namespace: dict[str, Any] = {}
    exec(cache.compile("y = 2", "<g>", "exec"), namespace)
    assert namespace["y"] == 2
    assert _files(folder) == []


def test_a_folder_that_cannot_be_made_still_compiles(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = CodeCache(str(blocker / "code"))
    namespace: dict[str, Any] = {}
    exec(cache.compile("y = 3", "<g>", "exec"), namespace)
    assert namespace["y"] == 3


def test_the_cache_folder_is_the_users_own(tmp_path: Path) -> None:
    folder = tmp_path / "made" / "code"
    CodeCache(str(folder)).compile("y = 4", "<g>", "exec")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert len(_files(folder)) == 1
    assert not [p for p in _files(folder) if p.suffix == ".tmp"]
    assert os.stat(folder).st_uid == os.getuid()
