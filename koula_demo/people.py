"""The sandbox course and its people: the roster the LMS shares with the tool (NRPS)."""

from __future__ import annotations

from dataclasses import dataclass

from koula_demo.lms.constants import ROLE_INSTRUCTOR, ROLE_LEARNER

__all__ = ["COURSE_ID", "INSTRUCTOR", "LEARNER", "PEOPLE", "Person"]

COURSE_ID = "practice-community"


@dataclass(frozen=True)
class Person:
    user_id: str
    given_name: str
    family_name: str
    role: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_instructor(self) -> bool:
        return self.role == ROLE_INSTRUCTOR

    def member(self) -> dict[str, object]:
        """This person as an NRPS membership entry."""
        return {
            "user_id": self.user_id,
            "roles": [self.role],
            "status": "Active",
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": f"{self.user_id}@sandbox.example",
        }


LEARNER = Person("camille", "Camille", "Martin", ROLE_LEARNER)
INSTRUCTOR = Person("claire", "Claire", "Moreau", ROLE_INSTRUCTOR)
# Two more learners who never open the activity: the tool's report lists them as not started.
PEOPLE = (
    LEARNER,
    Person("samir", "Samir", "Haddad", ROLE_LEARNER),
    Person("lea", "Léa", "Dubois", ROLE_LEARNER),
    INSTRUCTOR,
)
