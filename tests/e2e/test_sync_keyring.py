"""Tokens through a real Secret Service: gnome-keyring on a private D-Bus session bus.

CI installs the daemons with .ci/setup-keyring.sh; the test skips (saying why) only where the
binaries are missing. It never touches the user's own keyring: the bus, the keyring files and
the password are all its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.errors import CredentialError
from relplan.sync.credentials import SERVICE, KeyringStore

pytestmark = pytest.mark.e2e
PASSWORD = "relplan-test-password"
BINARIES = ("dbus-daemon", "gnome-keyring-daemon")


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private session bus with an unlocked gnome-keyring; yields the environment."""
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (run .ci/setup-keyring.sh)")
    home = Path(tempfile.mkdtemp(prefix="relplan-keyring-"))
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    (home / "run").mkdir(mode=0o700)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )  # fmt: skip
    daemon = None
    log = home / "gnome-keyring.log"
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        for key in ("HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"):
            monkeypatch.setenv(key, env[key])
        # A daemon that has not unlocked its collection in 20 s is started once more before
        # giving up (a slow start on a loaded machine).
        for attempt in (1, 2):
            daemon = _start_daemon(env, log)
            if _wait_for_service(20.0):
                break
            _stop(daemon)
            if attempt == 2:
                raise TimeoutError(
                    "gnome-keyring did not unlock its default collection in 2 x 20 s; "
                    f"its log ends: {log.read_text(errors='replace')[-500:]!r}"
                )
        yield env
    finally:
        for process in (daemon, bus):
            if process is not None:
                _stop(process)
        if bus.stdout is not None:
            bus.stdout.close()
        shutil.rmtree(home, ignore_errors=True)


def _start_daemon(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """gnome-keyring-daemon on the private bus, unlocked with :data:`PASSWORD`."""
    with log.open("a") as out:
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=out, stderr=out, env=env, text=True,
        )  # fmt: skip
    assert daemon.stdin is not None
    daemon.stdin.write(PASSWORD)
    daemon.stdin.close()
    return daemon


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_for_service(seconds: float) -> bool:
    """Wait until the daemon serves an unlocked default collection; whether it did.

    Probing through keyring's backend while the daemon is still applying ``--unlock`` asks it to
    unlock the collection by a prompt, which fails (``KeyringLocked``) and can leave it locked;
    every failed try also leaked a D-Bus socket, which later tests reported. So the probe only
    reads the collection's state, on a connection it always closes.
    """
    deadline = time.monotonic() + seconds
    while not _unlocked_default_collection():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _unlocked_default_collection() -> bool:
    import secretstorage
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy
    from secretstorage.util import BUS_NAME

    try:
        connection = secretstorage.dbus_init()
    except Exception:  # the bus or the service is not up yet
        return False
    with contextlib.closing(connection):
        try:
            # Touch the collection only once our daemon owns the name: a call before that
            # makes the bus start a second, locked gnome-keyring by D-Bus activation, which
            # then keeps ours out ("another secret service is running").
            if Proxy(message_bus, connection).NameHasOwner(BUS_NAME)[0] != 1:
                return False
            return not secretstorage.Collection(connection).is_locked()
        except Exception:  # no default collection yet
            return False


def test_round_trip_through_secret_service(secret_service: dict[str, str]) -> None:
    from keyring.backends import SecretService

    store = KeyringStore(SecretService.Keyring())
    key = "jira_cloud:https://acme.atlassian.net:me@acme.com"
    store.set(key, "real-secret-7")
    assert store.get(key) == "real-secret-7"
    if shutil.which("secret-tool"):
        # Seen from outside Python too: it is in the daemon, under the service "relplan".
        found = subprocess.run(
            ["secret-tool", "lookup", "service", SERVICE, "username", key],
            env=secret_service, capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        assert found.stdout == "real-secret-7"
    store.set(key, "rotated")
    assert store.get(key) == "rotated"
    store.delete(key)
    assert store.get(key) is None
    store.delete(key)  # deleting nothing is fine


def test_the_keyring_file_holds_no_plaintext(secret_service: dict[str, str]) -> None:
    from keyring.backends import SecretService

    KeyringStore(SecretService.Keyring()).set(
        "azure_boards:https://dev.azure.com/x:", "pat-plain-91"
    )
    files = [p for p in Path(secret_service["XDG_DATA_HOME"]).rglob("*.keyring") if p.is_file()]
    assert files, "gnome-keyring wrote its (encrypted) keyring file"
    assert not any(b"pat-plain-91" in p.read_bytes() for p in files)


def test_a_fail_backend_is_refused() -> None:
    from keyring.backends import fail

    with pytest.raises(CredentialError) as info:
        KeyringStore(fail.Keyring()).set("k", "v")
    assert "gnome-keyring" in info.value.hint
