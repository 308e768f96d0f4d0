"""Sphinx helpers for terrain's API reference.

- ``.. terrain-constants:: MODULE`` documents the constants ``MODULE``
  re-exports from its private modules (autodoc documents a module's data only
  from the ``#:`` comments of the module's own source), with those comments.
- ``.. terrain-exports::`` renders the table of the names importable from
  ``terrain`` itself, read from ``terrain.__all__`` (so the page cannot drift
  from the code), each linked to where its package documents it.
- A reference to a name through ``terrain`` (``:class:`terrain.Post```) resolves
  to that documentation (``terrain.posts.Post``).
- Source links of objects whose ``__module__`` is the public package point at the
  private module that defines them (``terrain._public.ORIGINS``).
- Annotations written as text (``from __future__ import annotations``) are read
  with the names the module imports for type checkers only (``if TYPE_CHECKING:``),
  so that a signature naming ``Workspace`` still shows ``datetime`` as a link; a
  type variable shows as its name.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
from typing import Any, TypeVar

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


class TerrainExports(Directive):
    """A table of ``terrain.__all__``: the name, linked, and its first docstring line."""

    def run(self) -> list[nodes.Node]:
        import terrain

        table = nodes.table()
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=30)
        group += nodes.colspec(colwidth=70)
        body = nodes.tbody()
        group += body
        for name in sorted(terrain._EXPORTS, key=str.lower):
            home = terrain._EXPORTS[name]
            obj = getattr(importlib.import_module(home), name)
            kind = "class" if isinstance(obj, type) else "func" if callable(obj) else "data"
            ref = pending_xref(
                "", refdomain="py", reftype=kind, reftarget=f"{home}.{name}", refexplicit=True
            )
            ref += nodes.literal(name, name)
            row = nodes.row()
            row += nodes.entry("", nodes.paragraph("", "", ref))
            text, messages = self.state.inline_text(_summary(obj), self.lineno)
            row += nodes.entry("", nodes.paragraph("", "", *text, *messages))
            body += row
        return [table]


#: The modules whose objects may be a constant or a type alias terrain exports.
_VALUES = frozenset({"builtins", "datetime", "terrain", "typing", "types", "collections"})


class TerrainConstants(Directive):
    """``.. autodata::`` for each constant of ``__all__`` that autodoc cannot find."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from sphinx.pycode import ModuleAnalyzer

        name = self.arguments[0]
        module = importlib.import_module(name)
        own = ModuleAnalyzer.for_module(name).find_attr_docs()
        lines = StringList()
        for exported in module.__all__:
            value = getattr(module, exported)
            if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
                continue
            if type(value).__module__.split(".")[0] not in _VALUES:
                continue  # another library's object (pluggy's markers): its own docs
            if ("", exported) not in own:
                lines.append(f".. autodata:: {name}.{exported}", "<terrain-constants>")
                lines.append("", "<terrain-constants>")
        container = nodes.container()
        self.state.nested_parse(lines, self.content_offset, container)
        return list(container.children)


def _through_root(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve ``terrain.Name[.attr]`` to where ``Name``'s package documents it."""
    if node.get("refdomain") != "py":
        return None
    import terrain
    import terrain.errors

    target = str(node.get("reftarget", ""))
    parts = target.split(".")
    candidates = []
    if parts[0] in ("terrain", "terrain_adapters") and len(parts) > 1:
        owner = sys.modules.get(".".join(parts[:-1]))
        if isinstance(getattr(owner, parts[-1], None), TypeVar):
            return contnode  # a type variable has no page: its name is all there is to show
        home = terrain._EXPORTS.get(parts[1]) if parts[0] == "terrain" else None
        if home is not None:  # terrain.Post -> terrain.posts.Post
            candidates.append(".".join([home, *parts[1:]]))
    else:
        # a short name in the docstring of a private module: the objects it defines are
        # documented under its public package (terrain.consent._events -> terrain.consent)
        context = str(node.get("py:module") or "")
        public = context.split("._")[0]
        if context != public:
            candidates.append(f"{public}.{target}")
        if parts[0] in terrain.errors.__all__:  # an error named alone is terrain's
            candidates.append(f"terrain.errors.{target}")
    domain = env.get_domain("py")
    for candidate in candidates:
        found: nodes.Element | None = domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], candidate, node, contnode
        )
        if found is not None:
            return found
    return None


def _source_module(app: Sphinx, modname: str, attribute: str) -> str | None:
    """viewcode: the module that defines ``modname.attribute`` (claimed objects say the
    public package, whose source does not hold them)."""
    from terrain._public import ORIGINS

    return ORIGINS.get(f"{modname}.{attribute}")


@functools.cache
def _type_checking_names(module: str) -> dict[str, Any]:
    """The names ``module`` imports under ``if TYPE_CHECKING:`` (at module level)."""
    loaded = sys.modules.get(module)
    try:
        source = inspect.getsource(loaded) if loaded is not None else ""
    except (OSError, TypeError):
        return {}
    names: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            code = compile(ast.Module(body=node.body, type_ignores=[]), module, "exec")
            exec(code, {"__name__": module, "__package__": module.rpartition(".")[0]}, names)
    return names


def _resolved(annotations: dict[str, Any], module: str, namespace: dict[str, Any]) -> None:
    scope = {**namespace, **_type_checking_names(module)}
    for name, value in list(annotations.items()):
        if isinstance(value, str):
            try:
                annotations[name] = eval(value, scope)  # our own annotations
            except Exception:  # leave what cannot be read as text
                continue


def _resolve_signature(app: Sphinx, obj: Any, bound_method: bool) -> None:
    """Before autodoc reads a signature: resolve its text annotations (see above)."""
    function = getattr(obj, "__func__", obj)
    if isinstance(function, type):
        module = sys.modules.get(
            _source_module(app, function.__module__, function.__name__) or function.__module__
        )
        init = function.__dict__.get("__init__")
        if module is not None and inspect.isfunction(init):
            _resolved(init.__annotations__, module.__name__, vars(module))
        return
    if inspect.isfunction(function) and function.__annotations__:
        namespace = function.__globals__
        _resolved(function.__annotations__, namespace.get("__name__", ""), namespace)


def _constant_doc(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A constant or a type alias a package re-exports gets the ``#:`` comment of the
    module that defines it (autodoc only reads the comments of the package's own
    source)."""
    if what != "data" or "." not in name:
        return  # (a data's own docstring, if any, is its type's: dict, timedelta…)
    from sphinx.pycode import ModuleAnalyzer

    attribute = name.rpartition(".")[2]
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith("terrain") or getattr(module, attribute, None) is not obj:
            continue
        try:
            comments = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except Exception:  # a module without source: keep looking
            continue
        found = comments.get(("", attribute))
        if found:
            lines[:] = found
            return


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("terrain-exports", TerrainExports)
    app.add_directive("terrain-constants", TerrainConstants)
    app.connect("missing-reference", _through_root)
    app.connect("viewcode-follow-imported", _source_module)
    app.connect("autodoc-before-process-signature", _resolve_signature)
    app.connect("autodoc-process-docstring", _constant_doc)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
