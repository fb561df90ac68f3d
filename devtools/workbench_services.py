"""A workbench user service that knows course staff, so the staff pages can be seen there.

The stock workbench user service says nothing about staff. With this one, any
``?student=`` id starting with ``staff`` (``?student=staff-manager``) is course
staff, as the LMS would say through ``edx-platform.user_is_staff``.
"""

from __future__ import annotations

from typing import Any

from xblock.reference.user_service import UserService, XBlockUser

STAFF_PREFIX = "staff"


class StaffAwareUserService(UserService):  # type: ignore[misc]
    runtime: Any = None

    def get_current_user(self) -> XBlockUser:
        user_id = str(getattr(self.runtime, "user_id", "") or "")
        user = XBlockUser(
            is_current_user=True, emails=[f"{user_id}@example.org"], full_name=user_id
        )
        user.opt_attrs["xblock-workbench.user_id"] = user_id
        user.opt_attrs["edx-platform.user_is_staff"] = user_id.startswith(STAFF_PREFIX)
        return user
