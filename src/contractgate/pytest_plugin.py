"""pytest plugin of contractgate (entry point ``pytest11``): stubs on Mountebank as fixtures.

``stub`` is a factory: each call puts one configured service's stub on a
session-wide Mountebank (started on first use, stopped at the end of the session)
and returns a :class:`contractgate.stubs.Stub`; the test's stubs are deleted after
it::

    def test_retries_on_503(stub):
        users = stub("user-service", scenario="flaky", seed=7)
        client = UserClient(base_url=users.url)
        ...
        assert len(users.requests()) == 5
        users.set_scenario("happy")

The configuration is ``contractgate.toml`` found from pytest's rootdir upwards, or
the ini option ``contractgate_config``; ``contractgate_mountebank_url`` (or the
configuration's ``[mountebank] url``) adopts a running Mountebank instead of
starting one. Nothing is imported or started unless a test uses the fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar, Unpack

import pytest

if TYPE_CHECKING:
    from ._project import Project
    from .stubs import Mountebank, Scenario, Stub, StubFactory
    from .stubs._runtime import StubOptions

T = TypeVar("T")
_CONFIG_INI = "contractgate_config"
_MOUNTEBANK_INI = "contractgate_mountebank_url"


SERVICE_PROPERTY = "contractgate_service"


def record_service(item: pytest.Item, service: str) -> None:
    """Note that test ``item`` exercises ``service`` (a JUnit XML property of the test)."""
    if (SERVICE_PROPERTY, service) not in item.user_properties:
        item.user_properties.append((SERVICE_PROPERTY, service))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contractgate_service(name): the provider a test exercises (reported by contractgate gate)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("contractgate_service"):
        for name in marker.args:
            record_service(item, str(name))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        _CONFIG_INI, "contractgate.toml of the stub fixtures (default: found from rootdir)"
    )
    parser.addini(_MOUNTEBANK_INI, "URL of a running Mountebank for the stub fixtures")


def _fail_on_error(call: Callable[[], T]) -> T:
    """Run ``call``; a contractgate error fails the test with its one-line message."""
    from ._errors import ContractgateError

    try:
        return call()
    except ContractgateError as exc:
        pytest.fail(f"contractgate: {exc}", pytrace=False)


def _load_project(config: pytest.Config) -> Project:
    from ._config import find_config, load_config
    from ._errors import InputError
    from ._project import load_project

    configured = config.getini(_CONFIG_INI)
    path = config.rootpath / str(configured) if configured else find_config(config.rootpath)
    if path is None:
        raise InputError(
            f"no contractgate.toml in {config.rootpath} or above",
            hint=f"set {_CONFIG_INI} = path/to/contractgate.toml in the pytest configuration",
        )
    return load_project(load_config(path))


@pytest.fixture(scope="session")
def contractgate_project(pytestconfig: pytest.Config) -> Project:
    """The configured services, with their specs and pacts loaded (once per session)."""
    return _fail_on_error(lambda: _load_project(pytestconfig))


@pytest.fixture(scope="session")
def contractgate_mountebank(
    pytestconfig: pytest.Config, contractgate_project: Project
) -> Iterator[Mountebank]:
    """One Mountebank for the session: started on loopback (and stopped), or adopted."""
    from .stubs import Mountebank

    url = str(pytestconfig.getini(_MOUNTEBANK_INI) or "")
    config = contractgate_project.config
    url = url or (config.mountebank_url if config else None) or ""
    root = config.root if config else None
    server = _fail_on_error(
        lambda: Mountebank.adopt(url) if url else Mountebank.start(search_from=root)
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stub(
    request: pytest.FixtureRequest,
    contractgate_mountebank: Mountebank,
    contractgate_project: Project,
) -> Iterator[StubFactory]:
    """Factory: ``stub(service, scenario="happy", seed=0, states=None, port=None)`` -> Stub.

    The stubs a test creates are deleted when it ends. Each service stubbed with a
    fault scenario is recorded as the test's ``contractgate_service`` property (JUnit
    XML carries it), so ``contractgate gate`` can file the test under that provider.
    """
    from .stubs import StubServer

    server = StubServer(contractgate_mountebank, contractgate_project)

    def make(
        service: str, scenario: str | Scenario = "happy", **options: Unpack[StubOptions]
    ) -> Stub:
        if scenario != "happy":
            record_service(request.node, service)
        return _fail_on_error(lambda: server.start(service, scenario, **options))

    try:
        yield make
    finally:
        server.close()
