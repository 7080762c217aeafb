"""Locals pane: the selected frame's variables as a tree; aggregates expand lazily.

Children are fetched only when a node is opened. Which nodes were open
survives a step (by expression), and values that changed since the last stop
are highlighted (not those that differ because another frame was picked).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ..util import reported
from .base import Pane

if TYPE_CHECKING:
    from tdbg.backend.events import Variable

    from ..frame_view import FrameView, ViewKey


class NodeData(TypedDict):
    """What a variable's node carries (every node but the hidden root has it)."""
    var: Variable
    loaded: bool            # its children were fetched


class LocalsTree(Tree[NodeData]):
    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {"locals--changed", "locals--type", "locals--name"}


class LocalsPane(Pane):
    PANE_ID = "locals"

    def __init__(self) -> None:
        super().__init__()
        self.expanded: set[str] = set()
        self.prev: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.shown_key: ViewKey | None = None     # the app.frame whose variables are shown
        self._shown: tuple[Variable, ...] | None = None

    def compose(self) -> ComposeResult:
        tree = LocalsTree("locals", id="locals-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "frame", self._frame_changed)

    @property
    def shown_stop_id(self) -> int | None:
        return self.shown_key[0] if self.shown_key else None

    def _frame_changed(self, frame: FrameView | None) -> None:
        if frame is None:
            self.shown_key, self._shown = None, None
            self._locals_changed(None)
        elif frame.locals is not None and (frame.key, frame.locals) != (self.shown_key, self._shown):
            same_frame = self.shown_key is not None and self.shown_key[1:] == frame.key[1:]
            if not same_frame:
                self.values = {}    # another frame or thread: nothing "changed"
            self.shown_key, self._shown = frame.key, frame.locals
            self._locals_changed(list(frame.locals))

    def _label(self, var: Variable) -> Text:
        tree = self.query_one(LocalsTree)
        name = Text(var.name, style=tree.get_component_rich_style("locals--name", partial=True))
        changed = var.expr in self.prev and self.prev[var.expr] != var.value
        value_style = tree.get_component_rich_style("locals--changed", partial=True) if changed else ""
        value = var.value if len(var.value) < 200 else var.value[:199] + "…"
        # the type before the value: a long struct value must not push it out of sight
        return Text.assemble(name, (f": {var.type_name}", tree.get_component_rich_style(
            "locals--type", partial=True)), " = ", (value, value_style))

    def _add(self, parent: TreeNode[NodeData], var: Variable) -> None:
        self.values[var.expr] = var.value
        node = parent.add(self._label(var), data={"var": var, "loaded": False},
                          allow_expand=bool(var.has_children))
        if var.has_children and var.expr in self.expanded:
            self._load_children(node, expand=True)

    def _locals_changed(self, variables: list[Variable] | None) -> None:
        tree = self.query_one(LocalsTree)
        self.prev, self.values = self.values, {}
        top = list(tree.root.children)
        if variables and [cast(NodeData, n.data)["var"].expr for n in top] == [v.expr for v in variables]:
            # the same variables (a step in one frame): relabel in place, no rebuild
            for node, var in zip(top, variables, strict=True):
                data = cast(NodeData, node.data)
                self.values[var.expr] = var.value
                data["var"] = var
                node.set_label(self._label(var))
                if data["loaded"] and node.is_expanded:
                    self._load_children(node, expand=True)
                elif data["loaded"]:
                    data["loaded"] = False
                    node.remove_children()
            return
        tree.clear()
        for var in variables or []:
            self._add(tree.root, var)
        if variables is None:
            self.border_subtitle = ""
        else:
            self.border_subtitle = f"{len(variables)}"

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        data = event.node.data
        if not data:
            return
        self.expanded.add(data["var"].expr)
        if not data["loaded"]:
            self._load_children(event.node)

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed) -> None:
        if event.node.data:
            self.expanded.discard(event.node.data["var"].expr)

    @work(exit_on_error=False, group="locals-children")
    async def _load_children(self, node: TreeNode[NodeData], expand: bool = False) -> None:
        data = cast(NodeData, node.data)
        data["loaded"] = True
        with reported(self, "locals"):
            kids = await self.app.session.data.children(data["var"].expr)  # type: ignore[attr-defined]
            tree = self.query_one(LocalsTree)
            try:
                tree.get_node_by_id(node.id)
            except Exception:
                return            # a newer stop rebuilt the tree meanwhile
            node.remove_children()
            for var in kids:
                self._add(node, var)
            if expand:
                node.expand()
