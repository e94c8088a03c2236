"""The JSON API for organisations' own systems (issue 19 §3), under /api/v1/.

Django REST framework with drf-spectacular's OpenAPI schema. Every request carries an
organisation's bearer token (authentication); every object is looked up within that
organisation with the pages' own selectors and services, so the API sees exactly what the
organisation's pages show, and another organisation's objects are a 404.
"""
