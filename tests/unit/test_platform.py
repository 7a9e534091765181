"""Under CPython the FFI module imports cleanly and browser-only helpers say so clearly."""

import pytest

import tfjs
from harness import run_async
from tfjs import platform
from tfjs.errors import BrowserOnlyError, TfjsError


def test_not_a_browser_under_cpython():
    assert tfjs.is_browser() is False
    assert platform.IN_PYODIDE is False


@pytest.mark.parametrize("call", [
    lambda: platform.to_uint8array(b"abc"),
    lambda: platform.to_array_buffer(b"abc"),
    lambda: platform.to_bytes(object()),
    lambda: platform.to_js({"a": 1}),
])
def test_browser_only_helpers_raise_a_clear_error(call):
    with pytest.raises(BrowserOnlyError, match="only available in a web browser.*this is CPython") as info:
        call()
    assert isinstance(info.value, TfjsError)


def test_require_browser_names_the_feature():
    with pytest.raises(BrowserOnlyError, match=r"^indexeddb:// is only available in a web browser"):
        platform.require_browser("indexeddb://")


def test_load_packages_imports_under_cpython():
    run_async(platform.load_packages(["numpy"]))
    with pytest.raises(ModuleNotFoundError):
        run_async(platform.load_packages("no_such_package_here"))


def test_version_is_single_sourced():
    import tomllib

    from harness import ROOT

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tfjs._version.__version__"}
    assert "version" not in pyproject["project"]
    assert tfjs.__version__.count(".") == 2
