"""contractgate.toml: finding it, reading it, the errors that name the key, env and globs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from contractgate import InputError
from contractgate._config import CONFIG_NAME, expand_env, find_config, load_config


def config_file(folder: Path, text: str) -> Path:
    path = folder / CONFIG_NAME
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def error_of(folder: Path, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_config(config_file(folder, text))
    return info.value


# -- environment variables -------------------------------------------------------------


def test_expand_env_set_default_and_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_TOKEN", "s3cret")
    monkeypatch.delenv("CG_UNSET", raising=False)
    assert expand_env("Bearer ${CG_TOKEN}") == "Bearer s3cret"
    assert expand_env("Bearer ${CG_TOKEN:-fallback}") == "Bearer s3cret"
    assert expand_env("Bearer ${CG_UNSET:-test-token}") == "Bearer test-token"
    assert expand_env("${CG_UNSET:-}") == ""
    assert expand_env("no references, $CG_TOKEN stays") == "no references, $CG_TOKEN stays"


def test_expand_env_empty_value_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_EMPTY", "")
    assert expand_env("[${CG_EMPTY:-default}]") == "[]"


def test_expand_env_unset_without_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CG_UNSET", raising=False)
    with pytest.raises(InputError) as info:
        expand_env("Bearer ${CG_UNSET}", source="contractgate.toml", place="services.a.headers.X")
    error = info.value
    assert error.message == "environment variable CG_UNSET is not set"
    assert (error.source, error.place) == ("contractgate.toml", "services.a.headers.X")
    assert error.hint == "export CG_UNSET=... or write ${CG_UNSET:-default}"
    assert error.exit_code == 2


def test_headers_are_kept_unexpanded_until_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading never fails on an unset variable: only the stage that sends the header needs it."""
    monkeypatch.delenv("CG_UNSET", raising=False)
    config = load_config(
        config_file(
            tmp_path,
            """
            [services.users]
            spec = "spec.yaml"
            headers = { Authorization = "Bearer ${CG_UNSET}" }
            """,
        )
    )
    assert config.services["users"].headers == {"Authorization": "Bearer ${CG_UNSET}"}


# -- finding the file ------------------------------------------------------------------


def test_find_config_upwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_file(tmp_path, "[services.a]\nspec = 'a.yaml'\n")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == config
    monkeypatch.chdir(deep)
    assert find_config() == config


def test_find_config_nearest_wins(tmp_path: Path) -> None:
    config_file(tmp_path, "")
    inner = tmp_path / "inner"
    inner.mkdir()
    nearest = config_file(inner, "")
    assert find_config(inner) == nearest


def test_find_config_none(tmp_path: Path) -> None:
    assert not any((p / CONFIG_NAME).exists() for p in (tmp_path, *tmp_path.parents))
    assert find_config(tmp_path) is None


def test_find_config_ignores_a_directory_of_that_name(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).mkdir()
    assert find_config(tmp_path) is None


# -- globbing and paths ----------------------------------------------------------------


def test_pact_globs_sorted_and_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("b.json", "a.json", "notes.txt"):
        (tmp_path / "pacts").mkdir(exist_ok=True)
        (tmp_path / "pacts" / name).write_text("{}", encoding="utf-8")
    path = config_file(
        tmp_path,
        """
        pacts = ["pacts/*.json", "extra/one.json"]

        [services.users]
        spec = "openapi/users.yaml"
        pacts = "pacts/a.json"
        scenarios = "stubs/users.yaml"
        """,
    )
    monkeypatch.chdir(tmp_path.parent)  # paths do not depend on the working directory

    config = load_config(path)

    root = tmp_path.resolve()
    assert config.root == root
    assert config.pacts == (root / "pacts/a.json", root / "pacts/b.json", root / "extra/one.json")
    users = config.services["users"]
    assert users.spec == root / "openapi/users.yaml"
    assert users.pacts == (root / "pacts/a.json",)
    assert users.scenarios == root / "stubs/users.yaml"
    assert config.pacts_for(users) == users.pacts


def test_glob_matching_nothing_is_empty(tmp_path: Path) -> None:
    config = load_config(
        config_file(tmp_path, 'pacts = ["none/*.json"]\n[services.a]\nspec = "a.yaml"\n')
    )
    assert config.pacts == ()
    assert config.pacts_for(config.services["a"]) == ()


def test_absolute_glob_is_taken_as_is(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("b.json", "a.json"):
        (elsewhere / name).write_text("{}", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    config = load_config(
        config_file(
            project, f'pacts = ["{elsewhere.as_posix()}/*.json"]\n[services.a]\nspec = "a.yaml"\n'
        )
    )
    assert config.pacts == (elsewhere / "a.json", elsewhere / "b.json")


def test_defaults(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, '[services.a]\nspec = "a.yaml"\n'))
    assert config.reports == tmp_path.resolve() / "reports"
    assert config.mountebank_url is None
    assert (config.fuzz.max_examples, config.fuzz.seed) == (25, None)
    assert config.services["a"].provider is None


def test_provider(tmp_path: Path) -> None:
    config = load_config(
        config_file(
            tmp_path,
            """
            [services.a]
            spec = "a.yaml"
            [services.a.provider]
            command = ["{python}", "-m", "app", "--port", "{port}"]
            health = "/health"
            startup_timeout = 5
            env = { MODE = "test" }
            """,
        )
    )
    provider = config.services["a"].provider
    assert provider is not None
    assert provider.command == ("{python}", "-m", "app", "--port", "{port}")
    assert (provider.base_url, provider.health, provider.states) == (None, "/health", None)
    assert (provider.startup_timeout, provider.env) == (5.0, {"MODE": "test"})


# -- errors name the key ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "message", "hint"),
    [
        ("[services.a]\nspce = 'a.yaml'\n", "services.a.spce", "unknown key 'spce'",
         "did you mean 'spec'?"),
        ("report = 'out'\n[services.a]\nspec = 'a.yaml'\n", "report", "unknown key 'report'",
         "did you mean 'reports'?"),
        ("[services.a]\nscenarios = 's.yaml'\n", "services.a", "service 'a' has no spec",
         'add spec = "openapi/....yaml"'),
        ("pacts = []\n", "services", "no services are configured",
         "add a [services.NAME] table with a spec"),
        ("[services.a]\nspec = 'a.yaml'\n[services.a.provider]\ncommand = ['x']\n"
         "base_url = 'http://127.0.0.1:1'\n", "services.a.provider",
         "give exactly one of command or base_url", None),
        ("[services.a]\nspec = 'a.yaml'\n[services.a.provider]\nhealth = '/'\n",
         "services.a.provider", "give exactly one of command or base_url", None),
        ("[services.a]\nspec = 'a.yaml'\n[services.a.provider]\nbase_url = 'http://x'\n"
         "startup_timeout = 0\n", "services.a.provider.startup_timeout",
         "startup_timeout must be a number >= 0.1", None),
        ("[services.a]\nspec = 'a.yaml'\nheaders = { X = 1 }\n", "services.a.headers",
         "headers must be a table of strings", None),
        ("[services.a]\nspec = ''\n", "services.a.spec", "spec must be a non-empty string", None),
        ("pacts = [1]\n[services.a]\nspec = 'a.yaml'\n", "pacts", "pacts must be a list of strings",
         None),
        ("[fuzz]\nseed = 'x'\n[services.a]\nspec = 'a.yaml'\n", "fuzz.seed",
         "seed must be a whole number", None),
        ("services = 3\n", "services", "services must be a table", None),
        ('[services.a]\nspec = "a.yaml\n', "2:15", "invalid TOML: Illegal character '\\n'", None),
    ],
    ids=[
        "unknown-key", "unknown-top-level-key", "no-spec", "no-services", "command-and-url",
        "neither-command-nor-url", "timeout-too-small", "header-not-string", "empty-spec",
        "pacts-not-strings", "seed-not-int", "services-not-table", "toml-syntax",
    ],
)  # fmt: skip
def test_errors_name_the_key(
    tmp_path: Path, text: str, place: str, message: str, hint: str | None
) -> None:
    error = error_of(tmp_path, text)
    assert (error.place, error.message) == (place, message)
    if hint is not None:
        assert error.hint == hint
    assert error.source == str(tmp_path / CONFIG_NAME)


def test_unknown_service_suggests_the_close_one(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, "[services.user-service]\nspec = 'a.yaml'\n"))
    with pytest.raises(InputError) as info:
        config.service("user-servce")
    assert info.value.hint == "did you mean 'user-service'?"
    with pytest.raises(InputError) as info:
        config.service("billing")
    assert info.value.hint == "known services: user-service"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_config(tmp_path / CONFIG_NAME)
