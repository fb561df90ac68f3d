"""Development helpers: the xblock-sdk workbench settings used by ``./dev start`` and the e2e tests."""
