"""pytest setup for the reliability runs: makes `relsupport` and `conftest_shared` importable and
adds `--long` (the long versions; CI runs the short ones)."""
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "interop"))


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", default=False,
                     help="run the long reliability versions (100 crash cycles, minutes of faults)")


def pytest_configure(config):
    import relsupport
    relsupport.LONG = config.getoption("--long")


@pytest.fixture(scope="module")
def hostile_endpoint():
    """`hostile_endpoint.py` on a free port: its URL."""
    from conftest_shared import start_listening
    process, port = start_listening([sys.executable, str(HERE / "hostile_endpoint.py")])
    yield f"http://127.0.0.1:{port}"
    process.kill()
    process.wait()


@pytest.fixture(autouse=True)
def _kill_leftovers():
    yield
    import relsupport
    while relsupport.SPAWNED:
        process = relsupport.SPAWNED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
