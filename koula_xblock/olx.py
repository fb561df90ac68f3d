"""OLX export and import of authored data only.

XBlock's default export writes every field that is set, learner state
included, and its default import sets any attribute named like a field. A
block using :class:`OlxMixin` exports and imports only ``content`` and
``settings`` fields, so a course export never carries a learner's answers and
an import can never plant them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree
from xblock.core import XML_NAMESPACES
from xblock.fields import Scope

__all__ = ["AUTHORED_SCOPES", "OlxMixin"]

AUTHORED_SCOPES = (Scope.content, Scope.settings)


def _authored(field: Any) -> bool:
    return field.scope in AUTHORED_SCOPES and field.name not in ("children", "parent")


class OlxMixin:
    """Authored-only OLX; the block class must derive from ``XBlock``, which gives what follows."""

    if TYPE_CHECKING:
        entry_point: str
        fields: dict[str, Any]

        def xml_element_name(self) -> str: ...
        def _add_field(self, node: Any, name: str, field: Any) -> None: ...

    def add_xml_to_node(self, node: Any) -> None:
        node.tag = self.xml_element_name()
        node.set("xblock-family", self.entry_point)
        for field in self.fields.values():
            if _authored(field) and field.is_set_on(self):
                self._add_field(node, field.name, field)

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> Any:
        block = runtime.construct_xblock_from_class(cls, keys)
        fields = {name: f for name, f in cls.fields.items() if _authored(f)}
        for child in node:
            if child.tag is etree.Comment:
                continue
            name = etree.QName(child)
            if name.namespace == XML_NAMESPACES["option"] and name.localname in fields:
                _set(block, fields[name.localname], child.text, child.attrib)
        for attribute, value in node.items():
            if attribute in fields:
                _set(block, fields[attribute], value, {})
        return block


def _set(block: Any, field: Any, text: str | None, attrs: Any) -> None:
    if attrs.get("none") == "true":
        setattr(block, field.name, None)
    else:
        setattr(block, field.name, field.from_string(text or ""))
