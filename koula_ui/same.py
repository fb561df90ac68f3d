"""A cache key that stands for one object itself, for the caches of the learner page.

A template's parts (:class:`koula.Field`, its phases...) are frozen but hold dictionaries, so
they have no hash of their own, and hashing their content would cost what the cache saves.
``Same(item)`` is equal only to a ``Same`` of that very object. A template changed by staff
is a new object, so it never meets an answer cached for the old one; and an ``lru_cache`` keeps
its keys, so an object's id is never reused while its answer is cached.
"""

from __future__ import annotations

__all__ = ["Same"]


class Same[T]:
    __slots__ = ("item",)

    def __init__(self, item: T) -> None:
        self.item = item

    def __hash__(self) -> int:
        return id(self.item)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.item is self.item

    def __repr__(self) -> str:
        return f"Same({self.item!r})"
