"""Reads for the pages: the figures and rows a view shows, computed here, written nowhere.

A view calls selectors for what it shows and one service for what it changes; selectors
sit between the two layers (they may use a service's cached read, as the staff view's
roster count uses :mod:`lti.services.rosters`), and return plain values, never a response.
"""
