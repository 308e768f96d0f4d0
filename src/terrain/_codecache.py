"""Code that attrs and cattrs generate, compiled once per user instead of once per process.

Every ``terrain`` command builds the attrs classes of the models it imports, and
attrs writes each class's ``__init__``, ``__eq__``, ``__hash__``, ``__repr__``…
as Python source that it compiles (as cattrs does for its structure and
unstructure functions): ``compile()`` was a fifth of the CPU time of ``terrain
consent grant``. The source only depends on the class definition, so the same
text is compiled again by every process.

:class:`CodeCache` is a drop-in ``compile`` that keeps what it compiles in a
folder (one file per source, like ``__pycache__``) and reads it back with
:mod:`marshal`. The one part of attrs' source that differs from process to
process, the number in a ``__hash__`` (the hash of a text, ``PYTHONHASHSEED``),
is compiled as a placeholder as wide as the number (every position in the code
stays the same) and put back as the constant it is.

``compile()`` is a pure function of its arguments (the source, the file name,
the mode, the flags, the interpreter), and each file holds all of them beside
the code: a file is used only when they are all equal, so a change
of attrs, of a model or of Python never reads stale code (it compiles and writes
the new one), and a damaged or foreign file is compiled again. What is not the
plain ``exec``/``eval`` of a text (an AST, other flags or optimisation levels)
goes to :func:`compile` untouched.

:func:`install` gives the modules of attrs and cattrs that compile generated code
a module-level ``compile`` (a global shadows the builtin): only the ``terrain``
program does that (:func:`terrain.__main__.run`), never ``import terrain``. It
costs the command nothing it does not import: a module not imported yet is
given its ``compile`` when it is.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import importlib.machinery
import marshal
import os
import sys
import zlib
from collections.abc import Sequence
from types import CodeType, ModuleType
from typing import Any

__all__ = ["GENERATORS", "CodeCache", "default_folder", "install"]

#: The modules whose ``compile`` builds generated code: attrs' classes, cattrs' hooks.
GENERATORS = ("attr._make", "cattrs.gen")

#: The flags of ``from __future__`` imports, which ``compile`` inherits from its caller
#: unless told not to (CPython's ``PyCF_MASK``).
FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

#: The interpreter, written into each cached file: code compiled by another one (another
#: Python, another build of it) is not read.
INTERPRETER = f"{sys.implementation.cache_tag} {sys.version}"


def default_folder() -> str | None:
    """The folder of the cache: ``$TERRAIN_CODE_CACHE`` if set (empty: no cache), else
    ``terrain/code`` in the user's cache folder (``$XDG_CACHE_HOME``, ``~/.cache``)."""
    chosen = os.environ.get("TERRAIN_CODE_CACHE")
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "terrain", "code")


class CodeCache:
    """``compile`` with its results kept in ``folder`` (see the module's docstring).

    The folder is made at the first use, readable by the user only; a folder that
    another user owns or may write to is not used (everything is compiled, nothing
    kept), nor is one that cannot be made; a file that cannot be written (a full
    disk) is compiled again by the next process."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._usable: bool | None = None  # checked at the first lookup
        self.hits = 0  #: sources read from the folder
        self.misses = 0  #: sources compiled (and kept)
        self.widths = 0  #: known sources compiled for a number of a rare width (see _USUAL)

    def compile(
        self,
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
    ) -> Any:
        """What :func:`compile` gives for these arguments, called from the caller's frame."""
        if not dont_inherit:  # what compile() inherits from its caller's `from __future__`
            flags |= sys._getframe(1).f_code.co_flags & FUTURE_FLAGS
        if (
            type(source) is not str
            or type(filename) is not str
            or flags & ~FUTURE_FLAGS
            or optimize != -1
            or mode not in ("exec", "eval")
            or not self._ready()
        ):
            return builtins.compile(source, filename, mode, flags, True, optimize)
        canonical = _canonical(source)
        if canonical is None:
            return builtins.compile(source, filename, mode, flags, True, optimize)
        shape, placeholder, value = canonical
        key = (INTERPRETER, mode, flags, filename, shape, placeholder)
        code = _read(self.folder, key)
        if code is not None:
            self.hits += 1
        else:
            # A number's width varies from process to process: a source seen for the
            # first time is compiled for the usual widths too, each kept in its own file
            todo = [placeholder]
            if placeholder and _read(self.folder, (*key[:5], _USUAL[0])) is not None:
                self.widths += 1  # a known source, with a number of a rare width
            else:
                self.misses += 1
                todo += [each for each in _USUAL if each != placeholder] if placeholder else []
            for each in todo:
                made = builtins.compile(shape.replace(_MARK, each), filename, mode, flags, True)
                _write(os.path.join(self.folder, _name_of((*key[:5], each))),
                       marshal.dumps((*key[:5], each, made)))
                code = made if each == placeholder else code
        assert code is not None
        return code if not placeholder else _put(code, int(placeholder), value)

    def _ready(self) -> bool:
        """Whether the folder can be used: made if missing, refused if others can write it."""
        if self._usable is None:
            try:
                os.makedirs(self.folder, mode=0o700, exist_ok=True)
                st = os.stat(self.folder)
            except OSError:
                self._usable = False
            else:
                self._usable = os.name != "posix" or (
                    st.st_uid == os.getuid() and not st.st_mode & 0o022
                )
        return self._usable


#: What precedes the number attrs writes in a generated ``__hash__``
#: (``hash((<number>, self.a, ...))``), the hash of a text, which differs in every
#: process (``PYTHONHASHSEED``): alone on the next line, indented, followed by a comma.
_BEFORE_TYPE_HASH = "hash((\n"
#: Where the number was, in the shape of a source kept in the cache.
_MARK = "\x00type-hash\x00"
#: The placeholders compiled on a miss, those of 99.99 % of the numbers (a string's hash
#: is as wide as a C long: ``±9223372036854775807`` on 64 bits, 89 % of them 19 digits).
_DIGITS = len(str(sys.maxsize))
_USUAL = tuple(sign + "9" * n for n in range(_DIGITS, _DIGITS - 3, -1) for sign in ("", "-"))


def _canonical(source: str) -> tuple[str, str, int] | None:
    """The shape of ``source`` (the source with the per-process number of an attrs
    ``__hash__`` replaced by a mark), the placeholder compiled in its place (``9``s as
    wide as the number, so that every column stays where it was) and the number.

    Without such a number, or when it cannot be replaced safely (two of them, one too
    small for every Python to load it as a constant, the placeholder written elsewhere
    in the source), the shape is the source itself and the placeholder is empty. None
    when the source holds the mark: it is not cached.
    """
    if _MARK in source:
        return None
    as_is = source, "", 0
    at = source.find(_BEFORE_TYPE_HASH)
    if at < 0 or source.find(_BEFORE_TYPE_HASH, at + 1) >= 0:
        return as_is
    start = at + len(_BEFORE_TYPE_HASH)
    end = source.find("\n", start)
    line = source[start:] if end < 0 else source[start:end]
    number = line.lstrip(" \t").removesuffix(",")
    digits = number.removeprefix("-")
    if not line.endswith(",") or not (digits.isascii() and digits.isdigit()):
        return as_is
    value = int(number)
    placeholder = "-" * (value < 0) + "9" * len(digits)
    if abs(value) < 1 << 16 or digits.startswith("0") or placeholder in source:
        return as_is
    first = start + len(line) - len(number) - 1
    return source[:first] + _MARK + source[first + len(number):], placeholder, value


def _put(code: CodeType, placeholder: int, value: int) -> CodeType:
    """``code`` with the constant ``placeholder`` replaced by ``value``, in every function
    it defines too (and in tuples of constants: ``hash((N,))`` is folded into one)."""
    return code.replace(co_consts=_replaced(code.co_consts, placeholder, value))


def _replaced(consts: tuple[Any, ...], placeholder: int, value: int) -> tuple[Any, ...]:
    return tuple(
        value if type(c) is int and c == placeholder
        else _put(c, placeholder, value) if type(c) is CodeType
        else _replaced(c, placeholder, value) if type(c) is tuple
        else c
        for c in consts
    )


#: What a cached file is kept for: the interpreter, the mode, the flags, the file name,
#: the shape of the source and the placeholder compiled in it (see :func:`_canonical`).
Key = tuple[str, str, int, str, str, str]


def _name_of(key: Key) -> str:
    """The file name of a key: a checksum of it and its length (two keys may share a
    name: the file's content says which one it holds)."""
    text = "\0".join(map(str, key)).encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(text):08x}-{len(text):x}.code"


def _read(folder: str, key: Key) -> CodeType | None:
    """The code kept in ``folder`` for ``key``, or None: no file, a damaged one, or
    one holding another key."""
    try:
        fd = os.open(os.path.join(folder, _name_of(key)), os.O_RDONLY)
        try:
            data = os.read(fd, 1 << 20)
            while len(data) % (1 << 20) == 0 and (more := os.read(fd, 1 << 20)):
                data += more
        finally:
            os.close(fd)
        kept = marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(kept) is tuple and len(kept) == 7 and kept[:6] == key and type(kept[6]) is CodeType:
        return kept[6]
    return None


def _write(path: str, data: bytes) -> None:
    """Write ``data`` at ``path`` whole or not at all (a reader never sees half a file);
    a failure (full disk, read-only folder) only means the next process compiles too."""
    partial = f"{path}.{os.getpid()}.tmp"
    try:
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)


class _GiveCompile:
    """A finder that hands each of ``names``, when imported, a module-level ``compile``
    before its code runs, then steps aside (the module itself is found and loaded by
    the path finder, as it would have been)."""

    def __init__(self, cache: CodeCache, names: Sequence[str]) -> None:
        self.cache = cache
        self.names = set(names)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        self.names.discard(name)
        if not self.names and self in sys.meta_path:
            sys.meta_path.remove(self)
        exec_module = loader.exec_module
        cache = self.cache

        def exec_with_cache(module: ModuleType) -> None:
            module.compile = cache.compile  # type: ignore[attr-defined]
            exec_module(module)

        # this module's own loader (the path finder makes one per spec)
        loader.exec_module = exec_with_cache  # type: ignore[method-assign]
        return spec


def install(cache: CodeCache, names: Sequence[str] = GENERATORS) -> None:
    """Make the modules ``names`` compile through ``cache``: those imported already now,
    the others when they are imported."""
    waiting = []
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            module.compile = cache.compile  # type: ignore[attr-defined]
        else:
            waiting.append(name)
    if waiting:
        sys.meta_path.insert(0, _GiveCompile(cache, waiting))
