"""Koula's LTI 1.3 Advantage tool: a Django project and app on the same core and page as the XBlock.

Registrations and deployments, OIDC login and launch validation, the learner
actions over HTTP with a bearer token, and the ``koula serve`` command. The
Django settings (:mod:`lti.settings`) come from the environment, which
:mod:`lti.config` alone reads. The package is in layers (views, selectors,
services, clients, models): ``docs/lti.md``, "How the tool is built".
"""
