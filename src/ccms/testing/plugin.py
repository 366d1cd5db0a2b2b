"""The ``ccms`` pytest plugin (entry point ``pytest11``): fixtures for the conformance suites.

Installed with ccms, so it loads in every pytest run; importing it imports nothing but pytest.
It registers the marker ``ccms_policy`` and gives each suite's fixture a default that builds
the policy the marker names from :data:`ccms.policy.default_registry` (entry points of group
``ccms.policies`` included). A test class then runs a suite on a registered policy in one line::

    @pytest.mark.ccms_policy("handler_router", "least_loaded")
    class TestLeastLoaded(HandlerRouterSuite):
        pass

A fixture of the same name in the class or a ``conftest.py`` wins over the plugin's, which is
how an unregistered policy is tested::

    class TestMyRouter(HandlerRouterSuite):
        @pytest.fixture
        def handler_router(self):
            return MyRouter()

Without either, the fixture fails the test with a message saying what to add. Runs that
disable plugin autoloading can load it with ``-p ccms.testing.plugin``.
"""

from __future__ import annotations

from typing import Any, Final

import pytest

__all__ = [
    "MARKER",
    "business_calendar",
    "ccms_policy",
    "department_router",
    "escalation_policy",
    "handler_router",
    "make_accumulator",
    "pytest_configure",
    "sla_policy",
]

#: The marker naming a registered policy: ``ccms_policy(kind, name, **params)``.
MARKER: Final = "ccms_policy"

NO_POLICY: Final = (
    "{suite} needs a {fixture!r} fixture returning the {what} to test; define one in the class "
    "or a conftest.py{marker}"
)
_MARKER_HINT: Final = ', or mark the class @pytest.mark.ccms_policy("{kind}", "<registered name>")'
BAD_MARKER: Final = (
    "@pytest.mark.ccms_policy takes (kind, name, **params), e.g. "
    'ccms_policy("handler_router", "least_loaded"); got args {args!r}'
)
WRONG_KIND: Final = (
    "{suite} needs a {fixture!r} ({kind}), but @pytest.mark.ccms_policy names a {marked} policy"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ccms_policy`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(kind, name, **params): the registered ccms policy a conformance suite tests "
        "(built from ccms.policy.default_registry, entry points of group ccms.policies included)",
    )


def _suite(request: pytest.FixtureRequest) -> str:
    cls = request.cls
    return cls.__name__ if cls is not None else str(request.node.name)


def _marked_policy(request: pytest.FixtureRequest, fixture: str, kind: str) -> Any:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        pytest.fail(
            NO_POLICY.format(
                suite=_suite(request),
                fixture=fixture,
                what=f"{kind.replace('_', ' ')} policy",
                marker=_MARKER_HINT.format(kind=kind),
            ),
            pytrace=False,
        )
    if len(marker.args) != 2 or not all(isinstance(a, str) for a in marker.args):
        pytest.fail(BAD_MARKER.format(args=marker.args), pytrace=False)
    marked, name = marker.args
    if marked != kind:
        pytest.fail(
            WRONG_KIND.format(suite=_suite(request), fixture=fixture, kind=kind, marked=marked),
            pytrace=False,
        )
    from ccms.policy import default_registry

    default_registry.load_entry_points()
    return default_registry.create(kind, name, **marker.kwargs)


@pytest.fixture
def ccms_policy(request: pytest.FixtureRequest) -> Any:
    """The policy named by the test's ``@pytest.mark.ccms_policy(kind, name, **params)``."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None or not marker.args:
        pytest.fail(BAD_MARKER.format(args=() if marker is None else marker.args), pytrace=False)
    return _marked_policy(request, MARKER, str(marker.args[0]))


@pytest.fixture
def handler_router(request: pytest.FixtureRequest) -> Any:
    """The handler router under test (default: from the ``ccms_policy`` marker)."""
    return _marked_policy(request, "handler_router", "handler_router")


@pytest.fixture
def department_router(request: pytest.FixtureRequest) -> Any:
    """The department router under test (default: from the ``ccms_policy`` marker)."""
    return _marked_policy(request, "department_router", "department_router")


@pytest.fixture
def sla_policy(request: pytest.FixtureRequest) -> Any:
    """The SLA policy under test (default: from the ``ccms_policy`` marker)."""
    return _marked_policy(request, "sla_policy", "sla")


@pytest.fixture
def escalation_policy(request: pytest.FixtureRequest) -> Any:
    """The escalation policy under test (default: from the ``ccms_policy`` marker)."""
    return _marked_policy(request, "escalation_policy", "escalation")


def _needs(request: pytest.FixtureRequest, fixture: str, what: str) -> Any:
    pytest.fail(
        NO_POLICY.format(suite=_suite(request), fixture=fixture, what=what, marker=""),
        pytrace=False,
    )


@pytest.fixture
def business_calendar(request: pytest.FixtureRequest) -> Any:
    """The business calendar under test: define this fixture (calendars are not registered)."""
    return _needs(request, "business_calendar", "business calendar")


@pytest.fixture
def make_accumulator(request: pytest.FixtureRequest) -> Any:
    """A factory of fresh accumulators: define this fixture."""
    return _needs(request, "make_accumulator", "factory of fresh, empty accumulators")
