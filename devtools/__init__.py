"""Development helpers: the workbench settings used by ``./dev start`` and the e2e tests."""
