"""``koula demo``: Koula in a sandbox LMS, the LTI tool and the Open edX workbench, on loopback.

One command starts a small LTI 1.3 platform (``koula_demo.lms``, built on
``lti1p3platform``) with one course, its people, a gradebook and a roster; the Koula
LTI tool (``koula serve``, a subprocess it registers through dynamic registration); and,
from a checkout, the Open edX workbench with the Koula scenarios. The sandbox talks to
the tool over HTTP only: this package imports neither ``lti`` nor ``koula_xblock``.
"""
